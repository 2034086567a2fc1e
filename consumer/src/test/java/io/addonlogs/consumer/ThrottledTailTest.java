package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.range;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * {@code throttleElements} per {@code throttlePerInMilliseconds}: a viewer gets at most that many events in any
 * window of that length, the rest waiting in Kafka: none lost, none twice, live and history alike, and resuming by
 * cursor still exact; other viewers of the add-on are not slowed.
 */
class ThrottledTailTest {

    private static final int ELEMENTS = 10;
    private static final long PER_MS = 500;
    private static final String THROTTLE = "throttleElements=" + ELEMENTS + "&throttlePerInMilliseconds=" + PER_MS;
    /**
     * The server counts events when it writes them; the client times them when its reader thread parses them, some
     * time later. If that delay stays under this, the events the client receives within any window of
     * {@code PER_MS - CLIENT_DELAY_MS} were written within a window of {@code PER_MS}: at most {@code ELEMENTS}.
     */
    private static final long CLIENT_DELAY_MS = 100;

    static TailFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static SseClient tail(String addon, String query, Map<String, String> headers) throws Exception {
        return SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_" + addon, "addon_" + addon, query),
                headers);
    }

    /** The most events the client received within any window of {@code windowMs} (each starting at an event). */
    private static int mostInAnyWindow(List<SseClient.Event> events, long windowMs) {
        int most = 0;
        for (int i = 0; i < events.size(); i++) {
            long end = events.get(i).receivedAtNanos() + TimeUnit.MILLISECONDS.toNanos(windowMs);
            int count = 0;
            for (int j = i; j < events.size() && events.get(j).receivedAtNanos() < end; j++) {
                count++;
            }
            most = Math.max(most, count);
        }
        return most;
    }

    private static void assertThrottled(List<SseClient.Event> events) {
        int most = mostInAnyWindow(events, PER_MS - CLIENT_DELAY_MS);
        assertTrue(most <= ELEMENTS, "at most " + ELEMENTS + " events within " + (PER_MS - CLIENT_DELAY_MS)
                + " ms as the client saw them, got " + most);
    }

    @Test
    void aThrottledLiveViewerGetsEveryLineInOrderAtItsPaceAndOthersAreNotSlowed() throws Exception {
        String token = "lt_throttle_live_token_00000000000000000";
        fixture.register(token, "addon_tl", "orga_tl");
        String viewer = viewerOf("orga_tl");
        try (SseClient slow = tail("tl", THROTTLE, bearer(viewer)); SseClient fast = tail("tl", "", bearer(viewer))) {
            assertEquals(200, slow.status);
            assertEquals(200, fast.status);
            fixture.post(token, range("line ", 0, 60));

            List<SseClient.Event> unthrottled = fast.next(60, 10_000);
            assertEquals(range("line ", 0, 60), messages(unthrottled));
            long spreadMs = TimeUnit.NANOSECONDS.toMillis(unthrottled.get(59).receivedAtNanos()
                    - unthrottled.get(0).receivedAtNanos());
            // at 10 per 500 ms, 60 lines would take at least 5 waits of 500 ms
            assertTrue(spreadMs < 5 * PER_MS, "the unthrottled viewer is not slowed: " + spreadMs + " ms");

            List<SseClient.Event> throttled = slow.next(60, 30_000);
            assertEquals(range("line ", 0, 60), messages(throttled), "all, in order, none twice");
            assertThrottled(throttled);
            fixture.post(token, List.of("marker"));
            assertEquals(List.of("marker"), messages(slow.next(1, 10_000)), "nothing doubled before the marker");
        }
    }

    @Test
    void aThrottledReplayOfHistoryGetsEveryLineInOrderAtItsPace() throws Exception {
        String token = "lt_throttle_since_token_0000000000000000";
        fixture.register(token, "addon_ts", "orga_ts");
        Instant before = Instant.now().minusSeconds(1);
        fixture.post(token, range("old ", 0, 60));
        String since = "since=" + URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
        try (SseClient sse = tail("ts", since + "&" + THROTTLE, bearer(viewerOf("orga_ts")))) {
            assertEquals(200, sse.status);
            List<SseClient.Event> events = sse.next(60, 30_000);
            assertEquals(range("old ", 0, 60), messages(events), "all, in order, none twice");
            assertThrottled(events);
            fixture.post(token, List.of("marker"));
            assertEquals(List.of("marker"), messages(sse.next(1, 10_000)), "then live, nothing doubled");
        }
    }

    @Test
    void aThrottledViewerResumesExactlyWithItsCursor() throws Exception {
        String token = "lt_throttle_resume_token_000000000000000";
        fixture.register(token, "addon_tr", "orga_tr");
        String viewer = viewerOf("orga_tr");
        List<SseClient.Event> received = new ArrayList<>();
        try (SseClient first = tail("tr", THROTTLE, bearer(viewer))) {
            fixture.post(token, range("line ", 0, 60));
            received.addAll(first.next(15, 10_000));
            assertEquals(range("line ", 0, 15), messages(received));
            assertThrottled(received);
        } // left in the middle: some lines after the 15th may have been written to a connection that is gone
        // the 10th closes the first window (its id written by the live path, in a batch cut at the budget when the
        // 60 lines came in one poll); the 15th was read back from Kafka after the fall-back
        for (int last : List.of(10, 15)) {
            try (SseClient again = tail("tr", THROTTLE, Map.of("Authorization", "Bearer " + viewer,
                    "Last-Event-ID", received.get(last - 1).id()))) {
                List<SseClient.Event> rest = again.next(60 - last, 30_000);
                assertEquals(range("line ", last, 60), messages(rest), "after line " + (last - 1)
                        + ": the rest, in order, none missing, none twice");
                assertThrottled(rest);
                assertNull(again.next(500), "nothing more");
            }
        }
        fixture.post(token, List.of("marker"));
        try (SseClient after = tail("tr", THROTTLE, Map.of("Authorization", "Bearer " + viewer,
                "Last-Event-ID", received.get(14).id()))) {
            List<SseClient.Event> rest = after.next(46, 30_000);
            assertEquals(range("line ", 15, 60), messages(rest.subList(0, 45)));
            assertEquals(List.of("marker"), messages(rest.subList(45, 46)), "then the marker, nothing doubled");
        }
    }

    @Test
    void badThrottleValuesAre400AndHalfAThrottleIsNone() throws Exception {
        String token = "lt_throttle_bad_token_000000000000000000";
        fixture.register(token, "addon_tb", "orga_tb");
        String viewer = viewerOf("orga_tb");
        for (String bad : List.of("throttleElements=ten&throttlePerInMilliseconds=100",
                "throttleElements=10&throttlePerInMilliseconds=-1", "throttleElements=99999999999999999999")) {
            try (SseClient sse = tail("tb", bad, bearer(viewer))) {
                assertEquals(400, sse.status, bad);
                assertTrue(sse.errorBody.contains("throttle"), sse.errorBody);
            }
        }
        // the limit of 2 per 10 s would hold back the 3rd line for 10 s: applied only with both parameters
        for (String none : List.of("throttleElements=2", "throttlePerInMilliseconds=10000",
                "throttleElements=0&throttlePerInMilliseconds=10000")) {
            try (SseClient sse = tail("tb", none, bearer(viewer))) {
                assertEquals(200, sse.status, none);
                fixture.post(token, range(none + " ", 0, 3));
                assertEquals(range(none + " ", 0, 3), messages(sse.next(3, 5_000)), none);
            }
        }
    }
}
