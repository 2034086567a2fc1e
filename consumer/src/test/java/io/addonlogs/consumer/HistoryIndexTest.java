package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.line;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * History follows the index: a quiet add-on's past lines are read from its own ranges, not by scanning the busy
 * neighbour it shares its partition with; {@code since}, {@code tail} (with filters) and resumes stay exact, and the
 * same queries answer the same without the index (scanning, as before it existed).
 */
class HistoryIndexTest {

    static final String BUSY = "lt_history_busy_00000000000000000000";
    static final String QUIET = "lt_history_quiet_0000000000000000000";
    static final int BUSY_LINES = 20_000;
    static final int ERR = 23 * 8 + 3; // local7.err
    static TailFixture fixture;
    static Instant before;

    @BeforeAll
    static void postHistory() throws Exception {
        // one partition: the two add-ons are neighbours; small blocks so the index has many
        fixture = new TailFixture(TestKafka.shared(), 1, 1, Map.of("CONSUMER_INDEX_BLOCK_RECORDS", "500"));
        fixture.register(BUSY, "addon_busy", "orga_history");
        fixture.register(QUIET, "addon_quiet", "orga_history");
        before = Instant.now().minusSeconds(1);
        Random random = new Random(7);
        for (int batch = 0; batch < BUSY_LINES / 1000; batch++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 1000; i++) { // varied text, compressed by Kafka about as much as real lines
                lines.add(batch + "." + i + " " + Long.toHexString(random.nextLong()) + " "
                        + Long.toHexString(random.nextLong()) + " " + Long.toHexString(random.nextLong()));
            }
            fixture.post(BUSY, lines);
            if (batch % 4 == 1) { // q0 .. q4 among the neighbour's lines, every other one an error
                int q = batch / 4;
                fixture.postLines(List.of(line(q % 2 == 1 ? ERR : 190, QUIET, "q" + q)));
            }
        }
        long end = BUSY_LINES + 5;
        TailService consumer = fixture.consumers.get(0);
        Await.until(() -> consumer.indexer().indexedUpTo(0) >= end, "the index covers every line");
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @Test
    void aQuietAddonsHistoryReadsItsOwnRangesNotItsNeighbours() throws Exception {
        TailService consumer = fixture.consumers.get(0);
        long readBefore = consumer.history().recordsRead();
        long keptBefore = consumer.history().keptLinesTaken();
        List<SseClient.Event> events = tail(consumer, "since=" + since() + "&limit=5", Map.of(), 5);
        assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), messages(events));
        long read = consumer.history().recordsRead() - readBefore;
        // each quiet line is alone among 500 of its neighbour's lines in its index block: the block keeps it, so
        // none of the 20,000 lines around them is read (only what the index does not cover yet, if anything: lines
        // other tests post, less than a block; and the first record of the range, for its timestamp)
        assertEquals(5, consumer.history().keptLinesTaken() - keptBefore, "lines taken from the index");
        assertTrue(read <= 500, "read " + read + " records for 5 lines");
    }

    @Test
    void withoutTheIndexTheSameQueriesGiveTheSameLinesByScanning() throws Exception {
        TailService unindexed = fixture.startConsumerWith(Map.of("LOGS_INDEX_TOPIC", "no-such-index-topic"));
        try {
            long readBefore = unindexed.history().recordsRead();
            assertEquals(List.of("q0", "q1", "q2", "q3", "q4"),
                    messages(tail(unindexed, "since=" + since() + "&limit=5", Map.of(), 5)));
            assertTrue(unindexed.history().recordsRead() - readBefore >= BUSY_LINES * 3 / 4,
                    "scanned the neighbour's lines");
            // another test posts a live line: both consumers read the same log at the same moment
            assertEquals(messages(tail(fixture.consumers.get(0), "tail=2&limit=2", Map.of(), 2)),
                    messages(tail(unindexed, "tail=2&limit=2", Map.of(), 2)));
        } finally {
            fixture.stopConsumer(unindexed);
        }
    }

    @Test
    void tailStartsAtTheLastLinesTheFiltersPassThenGoesLive() throws Exception {
        TailService consumer = fixture.consumers.get(0);
        long readBefore = consumer.history().recordsRead();
        assertEquals(List.of("q2", "q3", "q4"), messages(tail(consumer, "tail=3&limit=3", Map.of(), 3)));
        assertEquals(List.of("q1", "q3"), messages(tail(consumer, "tail=2&severity=err&limit=2", Map.of(), 2)));
        assertEquals(List.of("q3"), messages(tail(consumer, "tail=1&severity=err&limit=1", Map.of(), 1)));
        assertTrue(consumer.history().recordsRead() - readBefore < BUSY_LINES / 5,
                "tail reads the add-on's ranges: " + (consumer.history().recordsRead() - readBefore));
        try (SseClient client = SseClient.open(fixture.tailUri(consumer, "orga_history", "addon_quiet", "tail=2"),
                bearer(viewerOf("orga_history")))) {
            assertEquals(200, client.status, client.errorBody);
            assertEquals(List.of("q3", "q4"), messages(client.next(2, 20_000)));
            fixture.post(QUIET, List.of("live 1"));
            assertEquals(List.of("live 1"), messages(client.next(1, 20_000)));
        }
    }

    @Test
    void aResumeReadsExactlyTheLinesAfterItsCursor() throws Exception {
        TailService consumer = fixture.consumers.get(0);
        List<SseClient.Event> first = tail(consumer, "since=" + since() + "&limit=2", Map.of(), 2);
        Map<String, String> resume = new HashMap<>(Map.of("Last-Event-ID", first.get(1).id()));
        assertEquals(List.of("q2", "q3", "q4"), messages(tail(consumer, "limit=3", resume, 3)));
    }

    @Test
    void theBusyAddonsOwnHistoryIsComplete() throws Exception {
        TailService consumer = fixture.consumers.get(0);
        List<SseClient.Event> events = tail(consumer, "since=" + since() + "&limit=" + BUSY_LINES, Map.of(),
                BUSY_LINES, "addon_busy");
        assertEquals(BUSY_LINES, events.size());
        assertTrue(messages(events).get(0).startsWith("0.0 "));
        assertTrue(messages(events).get(BUSY_LINES - 1).startsWith((BUSY_LINES / 1000 - 1) + ".999 "));
    }

    private static String since() {
        return URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
    }

    private static List<SseClient.Event> tail(TailService consumer, String query, Map<String, String> headers,
                                              int count) throws Exception {
        return tail(consumer, query, headers, count, "addon_quiet");
    }

    private static List<SseClient.Event> tail(TailService consumer, String query, Map<String, String> headers,
                                              int count, String addon) throws Exception {
        Map<String, String> all = new HashMap<>(bearer(viewerOf("orga_history")));
        all.putAll(headers);
        try (SseClient client = SseClient.open(fixture.tailUri(consumer, "orga_history", addon, query), all)) {
            assertEquals(200, client.status, client.errorBody);
            List<SseClient.Event> events = client.next(count, 60_000);
            assertEquals(count, events.size(), "events of " + query);
            return events;
        }
    }
}
