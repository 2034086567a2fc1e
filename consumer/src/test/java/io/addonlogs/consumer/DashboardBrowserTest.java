package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.Keys;
import org.openqa.selenium.support.ui.Select;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * The dashboard page in a real headless Chromium against a consumer fed by a real Kafka through ingest, each point
 * of issue 14 at 1400 px and at 420 px (screenshots in {@code target/dashboard-screenshots/}). One browser and one
 * fixture for the class; each scenario uses its own add-on. Without Chromium the test is skipped, unless
 * {@code BROWSER_TESTS=required} (set by {@code .ci/run}), where it fails.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final int WIDE = 1400;
    private static final int NARROW = 420;
    /** The narrowest phone the page is made for: checked for overflow where the header is fullest. */
    private static final int SMALLEST = 360;
    private static final List<Integer> WIDTHS = List.of(WIDE, NARROW);
    private static final Pattern COUNTDOWN = Pattern.compile("reconnecting in (\\d+) s");

    private TailFixture fixture;
    private TailService consumer;
    private int consumerPort;
    private DashboardPage page;

    @BeforeAll
    void start() throws Exception {
        boolean installed = DashboardPage.installed();
        if (!installed && "required".equals(System.getenv("BROWSER_TESTS"))) {
            fail("BROWSER_TESTS=required but " + DashboardPage.CHROMIUM + " or " + DashboardPage.CHROMEDRIVER
                    + " is missing (apt-get install chromium chromium-driver)");
        }
        assumeTrue(installed, "no Chromium: apt-get install chromium chromium-driver to run the dashboard test");
        // heartbeats every 300 ms: the page calls a stream live (history sent) at its second heartbeat
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of("SSE_HEARTBEAT_MS", "300"));
        consumer = fixture.consumers.get(0);
        consumerPort = consumer.port();
        page = new DashboardPage(consumerPort);
    }

    @AfterAll
    void stop() {
        if (page != null) {
            page.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void pageAndApiForbidFramingAndTokensInTheQueryAreRefused() throws Exception {
        addon("addon_sec", "orga_sec");
        HttpResponse<String> html = get("/dashboard/", Map.of());
        assertEquals(200, html.statusCode());
        String csp = html.headers().firstValue("Content-Security-Policy").orElse("");
        for (String directive : List.of("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "frame-ancestors 'none'")) {
            assertTrue(csp.contains(directive), directive + " in " + csp);
        }
        assertFalse(csp.contains("unsafe-inline"), csp);
        assertEquals("DENY", html.headers().firstValue("X-Frame-Options").orElse(""));
        assertEquals("no-referrer", html.headers().firstValue("Referrer-Policy").orElse(""));
        // nothing inline for the policy to refuse: scripts and styles are files
        assertFalse(Pattern.compile("<script(?![^>]*\\ssrc=)[^>]*>").matcher(html.body()).find(), html.body());
        assertFalse(html.body().contains("<style") || html.body().contains(" style="), html.body());

        String viewer = viewerOf("orga_sec");
        String tail = "/v4/logs/organisations/orga_sec/resources/addon_sec/logs";
        for (String name : List.of("access_token", "token")) {
            HttpResponse<String> refused = get(tail + "?" + name + "=" + viewer, Map.of());
            assertEquals(401, refused.statusCode(), refused.body());
            assertEquals(401, get(tail + "?" + name + "=" + viewer, TailFixture.bearer(viewer)).statusCode(),
                    "refused even beside a good header");
            assertEquals("DENY", refused.headers().firstValue("X-Frame-Options").orElse(""));
            assertEquals("frame-ancestors 'none'", refused.headers().firstValue("Content-Security-Policy").orElse(""));
        }
        assertEquals(200, fixture.tailStatus(consumer, "orga_sec", "addon_sec"), "the header alone is fine");

        page.width(NARROW);
        freshTab();
        page.open("owner=orga_sec&addon=addon_sec&token=" + viewer, null);
        page.await(() -> page.text("#error").contains("A token in the address query is not used"), "warning");
        assertFalse(page.url().contains(viewer), "the query's token is removed from the address bar: " + page.url());
        assertEquals("idle", page.state(), "a token in the query is never used");
        assertEquals("Paste a viewer token for addon_sec above to connect (it stays in this tab).", page.text("#empty"));

        page.open("owner=orga_sec&addon=addon_sec", "not-a-jwt");
        awaitError("The viewer token was refused");
        page.open("owner=orga_sec&addon=addon_sec", viewerOf("orga_someone_else"));
        awaitError("does not give access to add-on addon_sec of orga_sec");
        page.open("owner=orga_sec&addon=addon_missing", viewer);
        awaitError("There is no add-on addon_missing for owner orga_sec");
        page.assertNoHorizontalOverflow("error at " + NARROW);
    }

    @Test
    void withoutParametersThePageSaysWhatToDo() throws Exception {
        for (int width : WIDTHS) {
            page.width(width);
            freshTab();
            page.open("", null);
            page.await(() -> page.text("#empty").startsWith("To tail an add-on, fill in its owner id"), "guidance");
            assertEquals("idle", page.state());
            assertTrue(page.find("#owner").isDisplayed(), "the form is open where it is needed, at " + width);
            assertTrue(page.find("#keys").isDisplayed(), "the shortcuts are documented on the page");
            page.assertNoHorizontalOverflow("guidance at " + width);
            page.screenshot("guidance");

            page.open("owner=orga_x&addon=addon_x", null);
            page.await(() -> page.text("#empty").equals("Paste a viewer token for addon_x above to connect (it stays "
                    + "in this tab)."), "asks for the token");
        }
    }

    @Test
    void opensOnTheLastLinesOfHistoryThenGoesLiveAndSaysSoWhenThereAreNone() throws Exception {
        for (int width : WIDTHS) {
            page.width(width);
            String owner = "orga_hist_" + width;
            String viewer = viewerOf(owner);
            String token = addon("addon_hist_" + width, owner);
            fixture.post(token, messages("old", 1, 250));
            page.open(owner, "addon_hist_" + width, "", viewer);
            page.awaitMessages(messages("old", 51, 250));
            page.awaitState("live");
            assertEquals(200L, page.js("return document.querySelectorAll('#lines .line').length"));
            assertFalse(page.url().contains(viewer) || page.url().contains("#"), "no token in " + page.url());
            assertTrue(page.find("#empty").getDomAttribute("hidden") != null, "no empty state with lines");
            fixture.post(token, List.of("new 1"));
            page.awaitMessages(concat(messages("old", 51, 250), List.of("new 1")));
            page.assertNoHorizontalOverflow("history at " + width);
            page.screenshot("history");

            page.open(owner, "addon_hist_" + width, "tail=3", viewer);
            page.awaitMessages(List.of("old 249", "old 250", "new 1"));

            String empty = "addon_empty_" + width;
            String emptyToken = addon(empty, owner);
            page.open(owner, empty, "", viewer);
            page.awaitState("live");
            assertEquals("No lines in what Kafka still holds for " + empty + "; waiting for new ones.",
                    page.text("#empty"));
            page.open(owner, empty, "start=1h&severity=err", viewer);
            page.awaitState("live");
            assertEquals("No lines match these filters in the last hour; waiting for new ones.", page.text("#empty"));
            page.screenshot("empty");
            fixture.postLines(List.of(syslog(3, "h", emptyToken, "p", "-", "the first line")));
            page.awaitMessages(List.of("the first line"));
            assertTrue(page.find("#empty").getDomAttribute("hidden") != null);
        }
    }

    @Test
    void aChosenRangeShowsItsLinesAndEndsAndPresetsGoLive() throws Exception {
        String owner = "orga_range";
        String viewer = viewerOf(owner);
        String token = addon("addon_range", owner);
        Instant before = Instant.now().minusSeconds(3600);
        fixture.post(token, messages("before", 1, 2));
        Instant since = nextMillisecond();
        fixture.post(token, messages("inside", 1, 3));
        Instant until = nextMillisecond();
        fixture.post(token, messages("after", 1, 2));

        for (int width : WIDTHS) {
            page.width(width);
            page.open(owner, "addon_range", "start=range&since=" + since + "&until=" + until, viewer);
            page.awaitMessages(messages("inside", 1, 3));
            page.awaitState("ended");
            assertEquals("range complete", page.text("#state"));
            if (width == NARROW) {
                page.click("#toggle");
            }
            assertTrue(page.find("#since").isDisplayed() && page.find("#until").isDisplayed(), "the pickers");
            assertFalse(page.find("#tail").isDisplayed(), "no line count for a range");
            assertEquals(since.toEpochMilli(), page.js("return new Date(document.getElementById('since').value)"
                    + ".getTime()"), "the picker shows the range's start, in local time");
            page.assertNoHorizontalOverflow("range at " + width);
            page.screenshot("range");
        }

        page.open(owner, "addon_range", "start=range&since=" + before + "&until=" + before.plusSeconds(60), viewer);
        page.awaitState("ended");
        page.await(() -> page.text("#empty").matches("No lines between 2\\d{3}-.* and 2\\d{3}-.*\\."), "empty range");

        page.width(WIDE);
        page.open(owner, "addon_range", "", viewer);
        page.awaitState("live");
        new Select(page.find("#start")).selectByVisibleText("last 15 min");
        page.await(() -> page.url().contains("start=15m"), "the preset in the address bar");
        page.awaitMessages(concat(messages("before", 1, 2), concat(messages("inside", 1, 3), messages("after", 1, 2))));
        page.awaitState("live");

        // choosing "a time range" waits for its start; entering one applies it
        new Select(page.find("#start")).selectByValue("range");
        assertEquals("since", page.js("return document.activeElement.id"));
        assertFalse(page.url().contains("start=range"), "nothing applied before the range has a start");
        page.js("const f = document.getElementById('since'); f.value = arguments[0];"
                + " f.dispatchEvent(new Event('input', {bubbles: true}))", localPickerValue(until));
        page.awaitMessages(messages("after", 1, 2));
        page.await(() -> page.url().contains("start=range&since="), "the range in the address bar");
    }

    /** The value of a datetime-local picker for this instant in the browser's zone. */
    private String localPickerValue(Instant instant) {
        return (String) page.js("const d = new Date(arguments[0]);"
                + " return new Date(d.getTime() - d.getTimezoneOffset() * 60e3).toISOString().slice(0, 23)",
                instant.toString());
    }

    @Test
    void searchAndFiltersRunOnTheServerOverHistoryAndLiveAndTheAddressSharesThem() throws Exception {
        String owner = "orga_search";
        String viewer = viewerOf(owner);
        String token = addon("addon_search", owner);
        String l1 = "GET /health 200";
        String l2 = "needle in the haystack: connection refused";
        String l3 = "slow query <img src=x onerror=alert(1)> needle";
        String l4 = "cache hit";
        String l5 = "disk full";
        fixture.postLines(List.of(syslog(6, "web-1", token, "web.1", "router", l1),
                syslog(3, "web-1", token, "web.1", "app", l2), syslog(4, "web-2", token, "web.2", "app", l3),
                syslog(7, "web-2", token, "web.2", "router", l4), syslog(2, "web-1", token, "web.1", "app", l5)));
        page.width(WIDE);
        page.open(owner, "addon_search", "", viewer);
        page.awaitMessages(List.of(l1, l2, l3, l4, l5));

        page.find("#filter").sendKeys("needle");
        page.awaitMessages(List.of(l2, l3));
        assertEquals(List.of("needle", "needle"), page.list(
                "return [...document.querySelectorAll('#lines mark')].map(e => e.textContent)"), "matches highlighted");
        assertEquals(0L, page.js("return document.querySelectorAll('#lines img').length"), "log text is text");
        page.await(() -> page.url().contains("filter=needle"), "the search in the address bar");
        assertFalse(page.url().contains(viewer));
        fixture.postLines(List.of(syslog(6, "web-1", token, "web.1", "app", "needle again"),
                syslog(6, "web-1", token, "web.1", "app", "no match")));
        page.awaitMessages(List.of(l2, l3, "needle again"));

        page.js("const f = document.getElementById('filter'); f.value = '';"
                + "f.dispatchEvent(new Event('input', {bubbles: true}))");
        page.awaitMessages(List.of(l1, l2, l3, l4, l5, "needle again", "no match"));

        new Select(page.find("#severity")).selectByValue("err");
        page.awaitMessages(List.of(l2, l5));
        page.await(() -> page.url().contains("severity=err"), "the severity in the address bar");

        page.open(owner, "addon_search", "hostname=web-2", viewer);
        page.awaitMessages(List.of(l3, l4));
        page.open(owner, "addon_search", "service=app&instanceId=web.1", viewer);
        page.awaitMessages(List.of(l2, l5, "needle again", "no match"));

        // a shared link, opened on a phone: the same query, the controls folded with their count
        page.width(NARROW);
        page.open(owner, "addon_search", "filter=needle&severity=warning", viewer);
        page.awaitMessages(List.of(l2, l3));
        assertEquals("needle", page.find("#filter").getDomProperty("value"));
        assertEquals("warning", page.find("#severity").getDomProperty("value"));
        page.await(() -> !page.find("#controls").isDisplayed(), "controls folded once connected on a phone");
        assertEquals("Filters (2)", page.text("#toggle"));
        page.click("#toggle");
        new Select(page.find("#severity")).selectByValue("err");
        page.awaitMessages(List.of(l2));
        page.assertNoHorizontalOverflow("filters at " + NARROW);
        page.awaitState("live");
        page.screenshot("search");
        page.width(WIDE);
        page.screenshot("search");
    }

    @Test
    void theBufferKeepsShownLinesOnly() throws Exception {
        String owner = "orga_buffer";
        String token = addon("addon_buffer", owner);
        List<String> lines = new ArrayList<>();
        IntStream.rangeClosed(1, 150).forEach(i -> {
            lines.add(TailFixture.line(token, "keep " + i));
            lines.add(TailFixture.line(token, "drop " + i));
        });
        fixture.postLines(lines);
        page.width(WIDE);
        page.open(owner, "addon_buffer", "max=100&filter=keep", viewerOf(owner));
        page.awaitMessages(messages("keep", 51, 150));
        assertEquals(100L, page.js("return [...document.querySelectorAll('#lines .line')]"
                + ".filter(l => l.getClientRects().length > 0).length"), "every line kept is shown");
        assertEquals("50 older lines removed from view (the page keeps the last 100)", page.text("#trimmed"));
        awaitHidden(150, "the drop lines after keep 1 counted as hidden");
    }

    @Test
    void hiddenLinesAreCountedOnceAcrossAReconnect() throws Exception {
        String owner = "orga_hidden";
        String token = addon("addon_hidden", owner);
        page.width(WIDE);
        page.open(owner, "addon_hidden", "filter=keep", viewerOf(owner));
        page.awaitState("live");
        fixture.post(token, List.of("keep 1", "drop 1", "drop 2"));
        page.awaitMessages(List.of("keep 1"));
        awaitHidden(2, "2 hidden");

        // the new stream resumes after keep 1 and counts drop 1 and 2 again: the page must not add them twice
        fixture.stopConsumer(consumer);
        page.await(() -> countdown() >= 0, "reconnecting");
        fixture.post(token, List.of("drop 3", "keep 2", "drop 4"));
        consumer = fixture.startConsumer(consumerPort);
        page.awaitMessages(List.of("keep 1", "keep 2")); // at the next attempt (waits are at most 15 s)
        awaitHidden(4, "drop 1 to 4, each once");
        page.click("#apply");
        page.awaitMessages(List.of("keep 1", "keep 2"));
        awaitHidden(4, "applied again, counted afresh from keep 1");
    }

    @Test
    void linesAreReadableAtEveryWidth() throws Exception {
        String owner = "orga_layout";
        String token = addon("addon_layout", owner);
        String words = String.join(" ", IntStream.rangeClosed(1, 40).mapToObj(i -> "word" + (100 + i)).toList());
        String fields = String.join(" ", IntStream.rangeClosed(1, 120).mapToObj(i -> "field" + i + "=v" + i).toList());
        String run = "0123456789abcdef".repeat(40);
        List<String> lines = new ArrayList<>(List.of(syslog(6, "web-1", token, "web.1", "router", words),
                syslog(6, "web-1", token, "web.1", "router", fields), syslog(6, "web-1", token, "web.1", "-", run)));
        String[] severities = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
        for (int s = 0; s < severities.length; s++) {
            lines.add(syslog(s, "host-with-a-rather-long-name-" + s, token, "proc." + s, "-", severities[s] + " line"));
        }
        fixture.postLines(lines);
        page.open(owner, "addon_layout", "", viewerOf(owner));
        page.await(() -> page.messages().size() == 11, "all lines");
        for (int width : WIDTHS) {
            page.width(width);
            page.assertNoHorizontalOverflow("long lines at " + width);
            if (width == WIDE) {
                assertEquals(1L, page.js("return new Set([...document.querySelectorAll('#lines .msg')]"
                        + ".map(m => Math.round(m.getBoundingClientRect().left))).size"), "messages start aligned");
                assertTrue(page.find("#columns .col-msg").isDisplayed(), "column headings");
            } else {
                assertEquals(List.of(), page.list("return [...document.querySelectorAll('#lines .line')].filter(l => {"
                        + " const t = l.querySelector('time').getBoundingClientRect();"
                        + " const s = l.querySelector('.sev').getBoundingClientRect();"
                        + " const m = l.querySelector('.msg').getBoundingClientRect();"
                        + " return Math.abs(t.top - s.top) > 1 || m.top < t.bottom - 1; }).map(l => l.textContent)"),
                        "time and severity on one row, the message below");
            }
            // no word of the sentence is split across rows, yet it wraps
            assertEquals(List.of(), page.list("const m = [...document.querySelectorAll('#lines .msg')]"
                    + ".find(e => e.textContent.startsWith('word101')); const node = m.firstChild; let at = 0;"
                    + " const split = []; for (const w of node.textContent.split(' ')) {"
                    + " const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + w.length);"
                    + " if (r.getClientRects().length !== 1) split.push(w); at += w.length + 1; } return split"));
            assertTrue(lineCount("word101") >= 2, "the sentence wraps at " + width);

            assertEquals("true", page.js("return String(document.querySelector('#lines .line:nth-child(2) .msg')"
                    + ".classList.contains('folded'))"), "a 120-field line is folded");
            assertTrue(lineCount("field1=") <= 3, "folded to three rows");
            assertTrue(page.text("#lines .line:nth-child(2) .fold").startsWith("Show all ("));
            page.screenshot("layout");
            page.click("#lines .line:nth-child(2) .fold");
            page.await(() -> lineCount("field1=") > 3, "unfolded");
            assertEquals("true", page.find("#lines .line:nth-child(2) .fold").getDomAttribute("aria-expanded"));
            page.click("#lines .line:nth-child(2) .fold");
            page.await(() -> lineCount("field1=") <= 3, "folded again");
            page.click("#lines .line:nth-child(2) .msg");
            page.await(() -> lineCount("field1=") > 3, "a click on the folded message unfolds it");
            page.click("#lines .line:nth-child(2) .fold");
            page.await(() -> lineCount("field1=") <= 3, "folded again");

            // severity: a marker at the row's left edge in the severity's colour, and readable words
            assertEquals(List.of(), page.list("const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3)"
                    + ".map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });"
                    + " return 0.2126 * r + 0.7152 * g + 0.0722 * b; };"
                    + " const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);"
                    + " const pane = getComputedStyle(document.getElementById('log')).backgroundColor;"
                    + " return [...document.querySelectorAll('#lines .line')].flatMap(l => {"
                    + " const s = getComputedStyle(l); const bg = s.backgroundColor === 'rgba(0, 0, 0, 0)' ? pane"
                    + " : s.backgroundColor; const sev = getComputedStyle(l.querySelector('.sev')).color;"
                    + " const msg = getComputedStyle(l.querySelector('.msg')).color; const bad = [];"
                    + " if (s.borderLeftWidth !== '4px' || s.borderLeftColor !== sev) bad.push('marker ' + l.className);"
                    + " if (ratio(sev, bg) < 4.5) bad.push('severity contrast ' + l.className);"
                    + " if (ratio(msg, bg) < 4.5) bad.push('message contrast ' + l.className); return bad; })"));
            assertEquals(6L, page.js("return new Set([...document.querySelectorAll('#lines .line .sev')]"
                    + ".map(e => getComputedStyle(e).color)).size"),
                    "emerg, alert and crit share red; err, warning, notice, info and debug each their own");
        }
        page.width(SMALLEST);
        page.assertNoHorizontalOverflow("long lines at " + SMALLEST);
    }

    @Test
    void pauseIsUnmistakableAndKeysWork() throws Exception {
        for (int width : WIDTHS) {
            page.width(width);
            String owner = "orga_pause_" + width;
            String token = addon("addon_pause_" + width, owner);
            page.open(owner, "addon_pause_" + width, "", viewerOf(owner));
            page.awaitState("live");
            double header = page.height("#bar");
            String liveColour = badgeColour();
            fixture.post(token, messages("first", 1, 3));
            page.awaitMessages(messages("first", 1, 3));

            page.press("p");
            page.awaitState("paused");
            fixture.post(token, messages("held", 1, 3));
            page.await(() -> "3".equals(page.find("#state").getDomAttribute("data-held")), "3 lines held");
            assertEquals("paused · 3 waiting", page.text("#state"));
            assertEquals("Resume", page.text("#pause"));
            assertNotEquals(liveColour, badgeColour(), "paused does not look live");
            assertEquals(messages("first", 1, 3), page.messages(), "held lines are not shown while paused");
            assertEquals(header, page.height("#bar"), "the header keeps its height");
            page.screenshot("paused");

            page.press(" ");
            page.awaitMessages(concat(messages("first", 1, 3), messages("held", 1, 3)));
            page.awaitState("live");
            fixture.post(token, List.of("after resume"));
            page.await(() -> page.messages().size() == 7, "live again");

            page.press("/");
            assertEquals("filter", page.js("return document.activeElement.id"), "/ focuses the search");
            page.find("#filter").sendKeys(Keys.ESCAPE);

            fixture.post(token, messages("more", 1, 80));
            page.await(() -> page.messages().size() == 87, "enough lines to scroll");
            page.js("const l = document.getElementById('log'); l.scrollTop = 0; l.dispatchEvent(new Event('scroll'))");
            fixture.post(token, messages("later", 1, 5));
            page.await(() -> page.messages().size() == 92, "more lines");
            assertEquals(0L, page.js("return document.getElementById('log').scrollTop"), "stays where the user is");
            assertEquals("↓ 5 new lines", page.text("#jump"));
            page.press(width == WIDE ? Keys.END : "G");
            page.await(() -> !page.find("#jump").isDisplayed(), "back to the newest line");
            assertEquals(Boolean.TRUE, page.js("const l = document.getElementById('log');"
                    + " return l.scrollTop + l.clientHeight >= l.scrollHeight - 8"));
        }
    }

    @Test
    void reconnectingCountsDownAndRetriesNowThenShowsLinesSentMeanwhileOnce() throws Exception {
        String owner = "orga_restart";
        String token = addon("addon_restart", owner);
        page.width(NARROW);
        page.open(owner, "addon_restart", "", viewerOf(owner));
        page.awaitState("live");
        double header = page.height("#bar");
        fixture.post(token, messages("before", 1, 3));
        page.awaitMessages(messages("before", 1, 3));

        fixture.stopConsumer(consumer);
        page.await(() -> countdown() >= 2, "a wait of 2 s or more");
        int first = countdown();
        page.await(() -> countdown() >= 0 && countdown() < first, "the countdown counts down from " + first);
        assertTrue(page.find("#retry").isDisplayed(), "Retry now");
        assertEquals(header, page.height("#bar"), "the header keeps its height while reconnecting");
        page.screenshot("reconnecting");
        page.width(SMALLEST);
        page.assertNoHorizontalOverflow("reconnecting at " + SMALLEST);
        assertTrue(page.find("#retry").isDisplayed(), "Retry now, even at " + SMALLEST);
        assertEquals(Boolean.TRUE, page.js("const s = document.getElementById('state');"
                + " return s.scrollWidth <= s.clientWidth"), "the countdown is not cut off at " + SMALLEST);
        page.width(NARROW);
        // "Retry now" tries at once: that attempt fails too, and the next, longer wait begins
        page.await(() -> countdown() >= 3, "a wait of 3 s or more");
        int beforeClick = countdown();
        page.click("#retry");
        page.await(() -> countdown() > beforeClick, "a new attempt at once, then a longer wait than " + beforeClick);

        fixture.post(token, messages("meanwhile", 1, 4));
        consumer = fixture.startConsumer(consumerPort);
        page.await(() -> countdown() >= 3, "a wait of 3 s or more");
        long clicked = System.nanoTime();
        page.click("#retry");
        List<String> expected = concat(messages("before", 1, 3), messages("meanwhile", 1, 4));
        page.awaitMessages(expected);
        page.awaitState("live");
        assertTrue(System.nanoTime() - clicked < 2_500_000_000L, "retried at once, not at the countdown's end");
        fixture.post(token, List.of("after restart"));
        page.awaitMessages(concat(expected, List.of("after restart")));
    }

    @Test
    void timesAreLabelledAndSwitchToUtcAndLinesCanBeCopiedAndDownloaded() throws Exception {
        String owner = "orga_time";
        String token = addon("addon_time", owner);
        fixture.post(token, List.of("zone line", "second line"));
        for (int width : WIDTHS) {
            page.width(width);
            page.open(owner, "addon_time", "", viewerOf(owner));
            page.awaitMessages(List.of("zone line", "second line"));
            // 2026-11-23T10:11:12.345Z in Europe/Paris (UTC+1 in November)
            assertEquals("Time · local, UTC+01:00", page.text("#tz"));
            assertEquals("2026-11-23 11:11:12.345", page.text("#lines .line time"));
            assertEquals(width == WIDE ? "2026-11-23 11:11:12.345" : "11:11:12.345",
                    page.find("#lines .line time").getText(), "the day is left out on a narrow screen");
            page.click("#tz");
            assertEquals("Time · UTC", page.text("#tz"));
            assertEquals("2026-11-23 10:11:12.345", page.text("#lines .line time"));
            page.await(() -> page.url().contains("tz=utc"), "the zone in the address bar");
            page.open(page.url().substring(page.url().indexOf('?') + 1), viewerOf(owner));
            page.awaitMessages(List.of("zone line", "second line"));
            assertEquals("2026-11-23 10:11:12.345", page.text("#lines .line time"), "UTC kept in a shared link");
            page.click("#tz");

            page.js("window.copied = null; navigator.clipboard.writeText = (t) => { window.copied = t;"
                    + " return Promise.resolve(); }");
            page.hoverAndClick(page.find("#lines .line .copy"));
            page.await(() -> "Line copied".equals(page.text("#toast")), "copied");
            assertEquals("2026-11-23T10:11:12.345Z INFO pg-host postgres.7 zone line", page.js("return window.copied"));
        }

        page.width(WIDE);
        assertEquals(null, downloaded());
        page.click("#download");
        page.await(() -> downloaded() != null, "a downloaded file");
        Path file = downloaded();
        assertTrue(file.getFileName().toString().matches("addon_time-.*\\.txt"), file.toString());
        assertEquals("2026-11-23T10:11:12.345Z INFO pg-host postgres.7 zone line\n"
                + "2026-11-23T10:11:12.345Z INFO pg-host postgres.7 second line\n",
                Files.readString(file, StandardCharsets.UTF_8));
    }

    // ---- helpers ----

    private String addon(String addonId, String ownerId) throws Exception {
        String token = "lt_" + UUID.randomUUID().toString().replace("-", "");
        fixture.register(token, addonId, ownerId);
        return token;
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumerPort + path));
        headers.forEach(request::header);
        return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A line of local7 at this severity code, with its own host, PROCID and MSGID. */
    private static String syslog(int severity, String host, String token, String procid, String msgid, String msg) {
        return "<" + (184 + severity) + ">1 2026-11-23T10:11:12.345Z " + host + " " + token + " " + procid + " " + msgid
                + " - " + msg;
    }

    /** Now, once the clock has passed the millisecond of the last line stored (receive times are milliseconds). */
    private static Instant nextMillisecond() throws InterruptedException {
        Thread.sleep(5); // no condition to await: the clock itself must move on
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Thread.sleep(5);
        return now;
    }

    /** The page as a new tab sees it: no token kept from an earlier test. */
    private void freshTab() {
        page.open("", null);
        page.js("sessionStorage.clear()");
    }

    private void awaitError(String text) {
        page.await(() -> page.text("#error").contains(text) && page.state().equals("error"), "error '" + text + "'");
    }

    private String badgeColour() {
        return (String) page.js("return getComputedStyle(document.getElementById('state')).backgroundImage"
                + " + getComputedStyle(document.getElementById('state')).backgroundColor");
    }

    /** Waits until the page says that many lines were hidden by the filters. */
    private void awaitHidden(int lines, String why) {
        page.await(() -> page.text("#hidden-count").equals(lines + " lines hidden by the filters"),
                why + ": the page says '" + page.text("#hidden-count") + "'");
    }

    /** The seconds of "reconnecting in N s", or -1. */
    private int countdown() {
        Matcher m = COUNTDOWN.matcher(page.text("#state"));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** How many rows the message starting with this text takes. */
    private int lineCount(String start) {
        return ((Number) page.js("const m = [...document.querySelectorAll('#lines .msg')]"
                + ".find(e => e.textContent.startsWith(arguments[0]));"
                + " return Math.round(m.getBoundingClientRect().height / parseFloat(getComputedStyle(m).lineHeight))",
                start)).intValue();
    }

    private Path downloaded() {
        try (Stream<Path> files = Files.list(page.downloads)) {
            return files.filter(f -> f.toString().endsWith(".txt")).findFirst().orElse(null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> messages(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + " " + i).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
