package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.range;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.kafka.embedded.TestKafka;

/** Lines POSTed to ingest reach viewers over SSE: fields, resume, history, until/limit, heartbeats. */
class LiveTailTest {

    static TailFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new TailFixture(TestKafka.shared(), 3, 2, Map.of());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void postedLinesArriveAsResourceLogEventsWithoutTheToken() throws Exception {
        String token = "lt_fields_token_0000000000000000000000";
        fixture.register(token, "addon_fields", "orga_fields");
        TailService consumer = fixture.consumers.get(0);
        try (SseClient sse = SseClient.open(fixture.tailUri(consumer, "orga_fields", "addon_fields", ""),
                bearer(viewerOf("orga_fields")))) {
            assertEquals(200, sse.status);
            assertTrue(sse.contentType.startsWith("text/event-stream"));
            long postedAt = System.nanoTime();
            fixture.post(token, List.of("first line", "second ☃ line"));
            List<SseClient.Event> events = sse.next(2, 10_000);
            assertEquals(2, events.size());
            for (SseClient.Event e : events) {
                assertEquals("RESOURCE_LOG", e.event());
                assertNotNull(e.id());
                assertEquals(e.id(), LogEventJson.fromJson(e.data()).id(), "data.id is the SSE id");
            }
            LogEvent first = LogEventJson.fromJson(events.get(0).data());
            assertEquals("first line", first.message());
            assertEquals("addon_fields", first.resourceId());
            assertEquals("pg-host", first.hostname());
            assertEquals("postgres.7", first.instanceId());
            assertEquals("postgres.7", first.pid());
            assertEquals("info", first.severity());
            assertEquals("local7", first.facility());
            assertEquals(Instant.parse("2026-11-23T10:11:12.345Z"), first.date());
            assertTrue(events.get(1).data().contains("\"date\":\"2026-11-23T10:11:12.345Z\""));
            assertEquals("second ☃ line", LogEventJson.fromJson(events.get(1).data()).message());
            System.out.printf("POST-to-event latency for 2 lines: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(events.get(1).receivedAtNanos() - postedAt));
            assertFalse(sse.allText().contains(token), "the log token never appears in the stream");
        }
    }

    @Test
    void resumeOnAnotherInstanceWithLastEventIdGivesEveryLineOnceInOrder() throws Exception {
        String token = "lt_resume_token_00000000000000000000000";
        fixture.register(token, "addon_resume", "orga_resume");
        String viewer = viewerOf("orga_resume");
        String lastId;
        try (SseClient a = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_resume", "addon_resume", ""),
                bearer(viewer))) {
            fixture.post(token, range("line ", 0, 5));
            List<SseClient.Event> firstTwo = a.next(2, 10_000);
            assertEquals(List.of("line 0", "line 1"), messages(firstTwo));
            lastId = firstTwo.get(1).id();
        } // dropped mid-stream: lines 2..4 were sent to a connection that is gone
        fixture.post(token, range("line ", 5, 10));

        try (SseClient b = SseClient.open(fixture.tailUri(fixture.consumers.get(1), "orga_resume", "addon_resume", ""),
                Map.of("Authorization", "Bearer " + viewer, "Last-Event-ID", lastId))) {
            assertEquals(range("line ", 2, 10), messages(b.next(8, 10_000)));
            fixture.post(token, List.of("marker"));
            assertEquals(List.of("marker"), messages(b.next(1, 10_000)), "nothing doubled before the marker");
        }
    }

    @Test
    void sinceInThePastReplaysThenSwitchesToLiveWithoutGapOrDuplicate() throws Exception {
        String token = "lt_since_token_000000000000000000000000";
        fixture.register(token, "addon_since", "orga_since");
        Instant before = Instant.now().minusSeconds(1);
        fixture.post(token, range("old ", 0, 200));
        String since = URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_since", "addon_since",
                "since=" + since + "&throttleElements=2000&throttlePerInMilliseconds=100"), // the CLI's default
                bearer(viewerOf("orga_since")))) {
            // live lines arrive while the replay may still be running
            List<Throwable> posterFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread poster = new Thread(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        fixture.post(token, range("new " + i + ".", 0, 10));
                    }
                } catch (Exception | AssertionError e) {
                    posterFailures.add(e); // asserted on the test thread below
                }
            });
            poster.start();
            List<String> expected = new ArrayList<>(range("old ", 0, 200));
            for (int i = 0; i < 10; i++) {
                expected.addAll(range("new " + i + ".", 0, 10));
            }
            List<String> got = messages(sse.next(expected.size(), 30_000));
            poster.join();
            assertEquals(List.of(), posterFailures, "every live POST got its 204");
            assertEquals(expected, got);
            assertNull(sse.next(500), "nothing after the last line");
        }
    }

    @Test
    void limitAndUntilEndTheStream() throws Exception {
        String token = "lt_limit_token_000000000000000000000000";
        fixture.register(token, "addon_limit", "orga_limit");
        Instant before = Instant.now().minusSeconds(1);
        fixture.post(token, range("l", 0, 5));
        Instant after = Instant.now().plusMillis(1);
        String since = URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_limit", "addon_limit",
                "since=" + since + "&limit=3"), bearer(viewerOf("orga_limit")))) {
            assertEquals(List.of("l0", "l1", "l2"), messages(sse.next(3, 10_000)));
            SseClient.Event end = sse.next(5_000);
            assertEquals("END_OF_STREAM", end.event());
            assertEquals("{\"endedBy\":\"LIMIT_REACHED\"}", end.data());
            Await.until(sse::ended, "server closes after END_OF_STREAM");
        }
        String until = URLEncoder.encode(after.toString(), StandardCharsets.UTF_8);
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_limit", "addon_limit",
                "since=" + since + "&until=" + until + "&field=x&deploymentId=y&instanceId=postgres.7&throttleElements=3"),
                bearer(viewerOf("orga_limit")))) {
            assertEquals(range("l", 0, 5), messages(sse.next(5, 10_000)));
            SseClient.Event end = sse.next(5_000);
            assertEquals("END_OF_STREAM", end.event());
            assertEquals("{\"endedBy\":\"UNTIL_REACHED\"}", end.data());
        }
    }

    @Test
    void filterKeepsMatchingMessages() throws Exception {
        String token = "lt_filter_token_00000000000000000000000";
        fixture.register(token, "addon_filter", "orga_filter");
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_filter", "addon_filter",
                "filter=ERROR"), bearer(viewerOf("orga_filter")))) {
            fixture.post(token, List.of("INFO ok", "ERROR boom", "INFO fine", "ERROR again"));
            assertEquals(List.of("ERROR boom", "ERROR again"), messages(sse.next(2, 10_000)));
        }
    }

    @Test
    void severityServiceInstanceAndHostFiltersWorkTogetherOverHistoryAndLive() throws Exception {
        String token = "lt_filters_token_0000000000000000000000";
        fixture.register(token, "addon_filters", "orga_filters");
        Instant before = Instant.now().minusSeconds(1);
        // PRI 187 = local7.err, 188 = local7.warning, 190 = local7.info, 186 = local7.crit
        List<String> lines = List.of(
                "<187>1 2026-11-23T10:00:00.000Z db-1 " + token + " postgres.1 checkpointer - old err db-1",
                "<190>1 2026-11-23T10:00:00.000Z db-1 " + token + " postgres.1 checkpointer - old info db-1",
                "<188>1 2026-11-23T10:00:00.000Z db-2 " + token + " postgres.1 checkpointer - old warning db-2",
                "<186>1 2026-11-23T10:00:00.000Z db-1 " + token + " postgres.2 checkpointer - old crit other pid",
                "<187>1 2026-11-23T10:00:00.000Z db-1 " + token + " postgres.1 autovacuum - old err other service");
        fixture.postLines(lines);
        String since = URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_filters", "addon_filters",
                "since=" + since + "&severity=warning&service=checkpointer&instanceId=postgres.1&hostname=db-1"),
                bearer(viewerOf("orga_filters")))) {
            assertEquals(List.of("old err db-1"), messages(sse.next(1, 10_000)), "history, filtered on the server");
            fixture.postLines(lines.stream().map(l -> l.replace(" old ", " new ")).toList());
            assertEquals(List.of("new err db-1"), messages(sse.next(1, 10_000)), "live, filtered the same way");
            assertNull(sse.next(1_000), "nothing else passes");
        }
        SseClient bad = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_filters", "addon_filters",
                "severity=loud"), bearer(viewerOf("orga_filters")));
        assertEquals(400, bad.status, "an unknown severity is a 400");
    }

    @Test
    void heartbeatsComeEveryTwoSecondsWithoutId() throws Exception {
        String token = "lt_heartbeat_token_00000000000000000000";
        fixture.register(token, "addon_hb", "orga_hb");
        try (SseClient sse = SseClient.open(fixture.tailUri(fixture.consumers.get(0), "orga_hb", "addon_hb", ""),
                bearer(viewerOf("orga_hb")))) {
            List<SseClient.Event> beats = new ArrayList<>();
            while (beats.size() < 3) {
                SseClient.Event e = sse.nextAny(5_000);
                assertNotNull(e, "a heartbeat within 5 s");
                assertEquals("HEARTBEAT", e.event());
                assertNull(e.id(), "heartbeats carry no id");
                assertEquals("", e.data());
                beats.add(e);
            }
            long gap = TimeUnit.NANOSECONDS.toMillis(beats.get(2).receivedAtNanos() - beats.get(1).receivedAtNanos());
            assertTrue(gap > 1500 && gap < 2500, "heartbeat period about 2 s: " + gap + " ms");
        }
    }
}
