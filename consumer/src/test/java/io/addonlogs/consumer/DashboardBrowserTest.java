package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * The dashboard page in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) against a
 * consumer fed by a real Kafka through ingest. Without Chromium the test is skipped, unless
 * {@code BROWSER_TESTS=required} (set by {@code .ci/run}), where it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private TailFixture fixture;
    private TailService consumer;
    private int consumerPort;
    private WebDriver browser;

    @BeforeAll
    void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "required".equals(System.getenv("BROWSER_TESTS"))) {
            fail("BROWSER_TESTS=required but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
                    + "(apt-get install chromium chromium-driver)");
        }
        assumeTrue(installed, "no Chromium: apt-get install chromium chromium-driver to run the dashboard test");
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of());
        consumer = fixture.consumers.get(0);
        consumerPort = consumer.port();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,720",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void linesAppearInOrderAndPausedLinesAreHeldThenShownOnce() throws Exception {
        String token = addon("addon_pause", "orga_pause");
        open("orga_pause", "addon_pause", TailFixture.viewerOf("orga_pause"));
        awaitState("live");

        fixture.post(token, messages("first", 1, 5));
        await(b -> messages().equals(messages("first", 1, 5)), "first five lines in order");
        assertFirstLineShowsSeverityAndTime();

        browser.findElement(By.id("pause")).click();
        fixture.post(token, messages("held", 1, 3));
        await(b -> "3".equals(browser.findElement(By.id("held")).getDomAttribute("data-count")), "3 lines held");
        assertEquals(messages("first", 1, 5), messages(), "held lines are not shown while paused");

        browser.findElement(By.id("pause")).click();
        List<String> all = concat(messages("first", 1, 5), messages("held", 1, 3));
        await(b -> messages().size() >= 8, "held lines shown on resume");
        assertEquals(all, messages(), "each line once, in order");
        fixture.post(token, List.of("after resume"));
        await(b -> messages().size() == 9, "live again");
        assertEquals(concat(all, List.of("after resume")), messages());
    }

    @Test
    void reconnectsAfterTheConsumerRestartsAndShowsLinesSentMeanwhileOnce() throws Exception {
        String token = addon("addon_restart", "orga_restart");
        open("orga_restart", "addon_restart", TailFixture.viewerOf("orga_restart"));
        awaitState("live");
        fixture.post(token, messages("before", 1, 3));
        await(b -> messages().size() == 3, "lines before the restart");

        fixture.stopConsumer(consumer);
        await(b -> state().equals("reconnecting"), "the page notices the drop");
        fixture.post(token, messages("meanwhile", 1, 4));
        consumer = fixture.startConsumer(consumerPort);

        List<String> expected = concat(messages("before", 1, 3), messages("meanwhile", 1, 4));
        await(b -> messages().size() >= expected.size() && state().equals("live"), "resumed after the restart");
        assertEquals(expected, messages(), "lines sent while the consumer was down, each exactly once");
        fixture.post(token, List.of("after restart"));
        await(b -> messages().size() == expected.size() + 1, "live after the restart");
        assertEquals(concat(expected, List.of("after restart")), messages());
    }

    @Test
    void refusalsAreShownInWords() throws Exception {
        addon("addon_guarded", "orga_guarded");
        open("orga_guarded", "addon_guarded", "not-a-jwt");
        awaitError("The viewer token was refused");

        open("orga_guarded", "addon_guarded", TailFixture.viewerOf("orga_someone_else"));
        awaitError("does not give access to add-on addon_guarded of orga_guarded");

        open("orga_guarded", "addon_missing", TailFixture.viewerOf("orga_guarded"));
        awaitError("There is no add-on addon_missing for owner orga_guarded");
    }

    @Test
    void severityIsColouredAndFilteredAndTheTextFilterRunsOnTheServer() throws Exception {
        String token = addon("addon_web", "orga_web");
        open("orga_web", "addon_web", TailFixture.viewerOf("orga_web"));
        awaitState("live");
        // local7 = facility 23: PRI = 23 * 8 + severity
        fixture.postLines(List.of(
                TailFixture.line(190, token, "GET /health 200 in 2 ms"),
                TailFixture.line(191, token, "cache lookup key=user:42 hit"),
                TailFixture.line(188, token, "slow query: 1250 ms SELECT * FROM orders"),
                TailFixture.line(190, token, "checkpoint complete: wrote 1234 buffers (7.5%)"),
                TailFixture.line(187, token, "connection refused: too many clients already"),
                TailFixture.line(189, token, "autovacuum: table public.orders, 3 dead tuples removed"),
                TailFixture.line(186, token, "could not write block 12: No space left on device")));
        await(b -> messages().size() == 7, "seven lines");
        assertEquals(List.of("info", "debug", "warning", "info", "err", "notice", "crit"),
                script("return [...document.querySelectorAll('#lines .line .sev')].map(e => e.textContent)"));
        Files.createDirectories(SCREENSHOTS);
        Files.copy(((ChromeDriver) browser).getScreenshotAs(OutputType.FILE).toPath(),
                SCREENSHOTS.resolve("dashboard.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        new Select(browser.findElement(By.id("severity"))).selectByVisibleText("err and above");
        assertEquals(List.of("connection refused: too many clients already",
                        "could not write block 12: No space left on device"),
                script("return [...document.querySelectorAll('#lines .line:not(.hidden) .msg')].map(e => e.textContent)"));

        browser.get(base() + "?owner=orga_web&addon=addon_web&filter=needle#token=" + TailFixture.viewerOf("orga_web"));
        awaitState("live");
        fixture.post(token, List.of("hay 1", "a needle 2", "hay 3", "needle 4"));
        await(b -> messages().size() == 2, "only the lines matching the filter");
        assertEquals(List.of("a needle 2", "needle 4"), messages());
    }

    @Test
    void keepsAtMostMaxLinesAndStopsFollowingWhenTheUserScrollsUp() throws Exception {
        String token = addon("addon_busy", "orga_busy");
        browser.get(base() + "?owner=orga_busy&addon=addon_busy&max=100#token=" + TailFixture.viewerOf("orga_busy"));
        awaitState("live");
        fixture.post(token, messages("burst", 1, 150));
        await(b -> messages().contains("burst 150"), "the burst");
        assertEquals(messages("burst", 51, 150), messages(), "the DOM keeps the newest 100");
        assertEquals("50 older lines removed from view (the page keeps the last 100)",
                browser.findElement(By.id("trimmed")).getText());
        assertEquals(Boolean.TRUE, scalar("const l = document.getElementById('log');"
                + "return l.scrollTop + l.clientHeight >= l.scrollHeight - 8"), "follows the newest line");

        scalar("const l = document.getElementById('log'); l.scrollTop = 0; l.dispatchEvent(new Event('scroll'))");
        fixture.post(token, messages("later", 1, 5));
        await(b -> messages().contains("later 5"), "more lines");
        assertEquals(0L, scalar("return document.getElementById('log').scrollTop"), "stays where the user is");
        assertEquals("↓ 5 new lines", browser.findElement(By.id("jump")).getText());
        browser.findElement(By.id("jump")).click();
        await(b -> !browser.findElement(By.id("jump")).isDisplayed(), "back to following");
    }

    // ---- helpers ----

    private String addon(String addonId, String ownerId) throws Exception {
        String token = "lt_" + UUID.randomUUID().toString().replace("-", "");
        fixture.register(token, addonId, ownerId);
        return token;
    }

    private String base() {
        return "http://127.0.0.1:" + consumerPort + "/dashboard/";
    }

    private void open(String owner, String addon, String viewerToken) {
        browser.get(base() + "?owner=" + owner + "&addon=" + addon + "#token=" + viewerToken);
    }

    private String state() {
        return browser.findElement(By.id("state")).getDomAttribute("data-state");
    }

    private void awaitState(String state) {
        await(b -> state.equals(state()), "state " + state);
    }

    private void awaitError(String text) {
        await(b -> browser.findElement(By.id("error")).getText().contains(text) && state().equals("error"),
                "error '" + text + "'");
    }

    private void await(Function<WebDriver, Boolean> condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).withMessage(() -> what + "; page shows " + messages()
                + ", state " + state() + ", error '" + browser.findElement(By.id("error")).getText() + "'")
                .until(condition);
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> script(String js) {
        return (List<T>) ((JavascriptExecutor) browser).executeScript(js);
    }

    private Object scalar(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private List<String> messages() {
        return script("return [...document.querySelectorAll('#lines .line .msg')].map(e => e.textContent)");
    }

    private static List<String> messages(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + " " + i).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    /** A line shows its severity (as a class, for the colour) and its time, local with UTC on hover. */
    private void assertFirstLineShowsSeverityAndTime() {
        WebElement line = browser.findElement(By.cssSelector("#lines .line"));
        assertTrue(line.getDomAttribute("class").contains("sev-info"), line.getDomAttribute("class"));
        WebElement time = line.findElement(By.tagName("time"));
        assertEquals("2026-11-23 10:11:12.345 UTC", time.getDomAttribute("title"));
        assertEquals("2026-11-23T10:11:12.345Z", time.getDomAttribute("datetime"));
        assertEquals(script("return [new Date('2026-11-23T10:11:12.345Z')].map(d => d.getHours())").get(0),
                Long.valueOf(time.getText().substring(11, 13)), "hours in the browser's time zone");
    }
}
