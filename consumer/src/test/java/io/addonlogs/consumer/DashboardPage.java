package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium (Debian's {@code chromium} and {@code chromium-driver}) showing the dashboard, shared by the
 * whole test class: what the page shows, read back through small scripts, and waits on conditions. The browser runs
 * in Europe/Paris, so that local time and UTC differ.
 */
final class DashboardPage implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots");
    static final String TIME_ZONE = "Europe/Paris";

    private final ChromeDriver browser;
    private final String base;

    /** Where downloads go. */
    final Path downloads = Files.createTempDirectory("dashboard-downloads");

    DashboardPage(int consumerPort) throws Exception {
        base = "http://127.0.0.1:" + consumerPort + "/dashboard/";
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--window-size=1400,900",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .withEnvironment(Map.of("TZ", TIME_ZONE)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /** The window at this width (CSS pixels: the page's innerWidth), 900 high. */
    void width(int width) {
        browser.manage().window().setSize(new Dimension(width, 900));
        await(() -> ((Number) js("return innerWidth")).intValue() == width, "window " + width + " px wide");
    }

    /** Opens the page with this query and, when not null, this viewer token in the fragment. */
    void open(String query, String viewerToken) {
        browser.get(base + (query.isEmpty() ? "" : "?" + query) + (viewerToken == null ? "" : "#token=" + viewerToken));
    }

    /** Opens a page for this add-on with the query's extra parameters. */
    void open(String owner, String addon, String extra, String viewerToken) {
        open("owner=" + owner + "&addon=" + addon + (extra.isEmpty() ? "" : "&" + extra), viewerToken);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    Object asyncJs(String script) {
        return ((JavascriptExecutor) browser).executeAsyncScript(script);
    }

    @SuppressWarnings("unchecked")
    <T> List<T> list(String script) {
        return (List<T>) js(script);
    }

    WebElement find(String css) {
        return browser.findElement(By.cssSelector(css));
    }

    void click(String css) {
        find(css).click();
    }

    /** The messages shown, in order. */
    List<String> messages() {
        return list("return [...document.querySelectorAll('#lines .line .msg')].map(e => e.textContent)");
    }

    String state() {
        return find("#state").getDomAttribute("data-state");
    }

    String text(String css) {
        return (String) js("return document.querySelector(arguments[0]).textContent", css);
    }

    double height(String css) {
        return ((Number) js("return document.querySelector(arguments[0]).getBoundingClientRect().height", css))
                .doubleValue();
    }

    String url() {
        return browser.getCurrentUrl();
    }

    void awaitState(String state) {
        await(() -> state.equals(state()), "state " + state);
    }

    void awaitMessages(List<String> expected) {
        await(() -> messages().equals(expected), "messages " + expected);
    }

    void await(BooleanSupplier condition, String what) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(50))
                .withMessage(() -> what + "; the page shows " + messages() + ", state " + state() + " '"
                        + text("#state") + "', error '" + text("#error") + "', empty '" + text("#empty") + "'")
                .until(b -> condition.getAsBoolean());
    }

    /** Nothing is wider than the window: no horizontal scrollbar, for the page or the log pane. */
    void assertNoHorizontalOverflow(String where) {
        assertEquals(Boolean.TRUE, js("return document.documentElement.scrollWidth <= innerWidth"
                + " && document.body.scrollWidth <= innerWidth"), where + ": the page is wider than the window");
        assertEquals(Boolean.TRUE, js("const l = document.getElementById('log'); return l.scrollWidth <= l.clientWidth"),
                where + ": the log pane scrolls sideways");
        assertEquals(List.of(), list("return [...document.querySelectorAll('body *')].filter(e => e.getClientRects()"
                + ".length > 0 && e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.tagName + '#' + e.id"
                + " + '.' + e.className)"), where + ": elements reach past the window's right edge");
    }

    /** Saves a screenshot as target/dashboard-screenshots/{name}-{width}.png. */
    void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        long width = ((Number) js("return innerWidth")).longValue();
        Path file = SCREENSHOTS.resolve(name + "-" + width + ".png");
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(file) > 1000, file + " is a real picture");
    }

    /** Presses a key on the page (not in a field), as a viewer would to use a shortcut. */
    void press(CharSequence key) {
        js("document.activeElement && document.activeElement.blur()");
        new Actions(browser).sendKeys(key).perform();
    }

    /** Points at the element (as a mouse would: its row's tools appear), then clicks it. */
    void hoverAndClick(WebElement element) {
        new Actions(browser).moveToElement(element).click().perform();
    }

    @Override
    public void close() {
        browser.quit();
    }
}
