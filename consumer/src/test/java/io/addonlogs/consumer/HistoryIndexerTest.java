package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * The index lives in Kafka, not in an instance: another instance takes over where the index ends when one stops, and
 * a lost index is rebuilt from the logs topic by the next consumer to start on an empty one.
 */
class HistoryIndexerTest {

    static final String BUSY = "lt_indexer_busy_00000000000000000000";
    static final String QUIET = "lt_indexer_quiet_0000000000000000000";

    @Test
    void anotherInstanceTakesTheIndexOverWhereItEndsAndALostIndexIsRebuilt() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 1, 1,
                Map.of("CONSUMER_INDEX_BLOCK_RECORDS", "200"))) {
            fixture.register(BUSY, "addon_busy", "orga_indexer");
            fixture.register(QUIET, "addon_quiet", "orga_indexer");
            Instant before = Instant.now().minusSeconds(1);
            post(fixture, 0, 5);
            TailService first = fixture.consumers.get(0);
            Await.until(() -> first.indexer().indexedUpTo(0) >= 5 * 1001, "first instance indexed everything");

            TailService second = fixture.startConsumer();
            fixture.stopConsumer(first);
            post(fixture, 5, 10);
            Await.until(() -> second.indexer().indexedUpTo(0) >= 10 * 1001, "second instance indexed the new lines");
            // it went on from the index's end: about 5,005 records in blocks of 200, not all 10,010 again
            assertTrue(second.indexer().blocksWritten() <= 5 * 1001 / 200 + 5,
                    "blocks written by the second instance: " + second.indexer().blocksWritten());
            assertEquals(quietLines(10), quietHistory(fixture, second, before));

            String fresh = "index-" + UUID.randomUUID();
            fixture.kafka.createTopic(fresh, 1);
            TailService rebuilt = fixture.startConsumerWith(Map.of("LOGS_INDEX_TOPIC", fresh));
            Await.until(() -> rebuilt.indexer().indexedUpTo(0) >= 10 * 1001, "a new index built from the log");
            long readBefore = rebuilt.history().recordsRead();
            assertEquals(quietLines(10), quietHistory(fixture, rebuilt, before));
            assertTrue(rebuilt.history().recordsRead() - readBefore < 10 * 1000 / 2,
                    "the rebuilt index is used: " + (rebuilt.history().recordsRead() - readBefore) + " records read");
        }
    }

    /** Batches {@code from..to-1}: 1,000 busy lines and one quiet line each. */
    private static void post(TailFixture fixture, int from, int to) throws Exception {
        for (int batch = from; batch < to; batch++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                lines.add(batch + "." + i + " " + UUID.randomUUID() + " " + UUID.randomUUID());
            }
            fixture.post(BUSY, lines);
            fixture.post(QUIET, List.of("q" + batch));
        }
    }

    private static List<String> quietLines(int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add("q" + i);
        }
        return lines;
    }

    private static List<String> quietHistory(TailFixture fixture, TailService consumer, Instant since)
            throws Exception {
        String query = "since=" + URLEncoder.encode(since.toString(), StandardCharsets.UTF_8) + "&limit=10";
        try (SseClient client = SseClient.open(fixture.tailUri(consumer, "orga_indexer", "addon_quiet", query),
                bearer(viewerOf("orga_indexer")))) {
            assertEquals(200, client.status, client.errorBody);
            return messages(client.next(10, 60_000));
        }
    }
}
