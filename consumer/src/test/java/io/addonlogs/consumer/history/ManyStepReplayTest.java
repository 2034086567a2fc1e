package io.addonlogs.consumer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A busy add-on's replay spans many steps, each fetch (lz4: many lines a batch) holding more than a step: every
 * record arrives once, in order, and is fetched once, not again by the next step because the previous one was full.
 * Read without an index (none exists), so the plan is the whole range.
 */
class ManyStepReplayTest {

    private static final String BUSY = "addon-busy";
    private static final String NEIGHBOUR = "addon-neighbour";
    /** The busy add-on's lines: about 16 steps' worth. */
    private static final int BUSY_LINES = 16 * HistoryReader.STEP_BYTES / 240;
    /** What a consumer hands over a poll at most (max.poll.records' default). */
    private static final int POLL_RECORDS = 500;

    private static KafkaCluster kafka;
    private static String topic;
    private static final List<Long> busyOffsets = new ArrayList<>();
    private static final List<Long> neighbourOffsets = new ArrayList<>();
    private static long end;

    @BeforeAll
    static void writeHistory() throws Exception {
        kafka = TestKafka.shared();
        topic = "history-many-steps-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 64 << 10);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> busy = new ArrayList<>();
            List<Future<RecordMetadata>> neighbour = new ArrayList<>();
            Random random = new Random(7);
            for (int i = 0, n = 0; i < BUSY_LINES; ) { // the neighbour's lines among the busy add-on's, in runs
                if (random.nextBoolean()) {
                    busy.add(producer.send(record(BUSY, i++)));
                } else {
                    neighbour.add(producer.send(record(NEIGHBOUR, n++)));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> sent : busy) {
                busyOffsets.add(sent.get().offset());
            }
            for (Future<RecordMetadata> sent : neighbour) {
                neighbourOffsets.add(sent.get().offset());
            }
            end = (long) busy.size() + neighbour.size();
        }
    }

    @Test
    void aBusyAddonsReplayFetchesEachRecordOnceAndHandsItOverOnceInOrder() throws Exception {
        try (HistoryReader reader = reader()) {
            assertReplayed(busyOffsets, replay(reader, "viewer", BUSY));
            long read = reader.recordsRead();
            assertTrue(read <= end + POLL_RECORDS, "fetched " + read + " records for a range of " + end + ": "
                    + (read - end) + " (" + (100 * (read - end) / end) + " %) more");
        }
    }

    @Test
    void replaysOfNeighboursAtTheSameTimeEachGetTheirOwnRecords() throws Exception {
        // the two replays move the same consumers (two threads) over the same partition, each from its own position
        try (HistoryReader reader = reader()) {
            CompletableFuture<List<Long>> busy = CompletableFuture.supplyAsync(() -> replay(reader, "a", BUSY));
            CompletableFuture<List<Long>> neighbour = CompletableFuture.supplyAsync(
                    () -> replay(reader, "b", NEIGHBOUR));
            assertReplayed(busyOffsets, busy.get(60, TimeUnit.SECONDS));
            assertReplayed(neighbourOffsets, neighbour.get(60, TimeUnit.SECONDS));
        }
    }

    private static HistoryReader reader() {
        return new HistoryReader(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
                "no-such-index-" + topic, 2, 10, new SimpleMeterRegistry());
    }

    /** The offsets of the add-on's records the replay of the whole topic hands over, checking each step's bytes. */
    private static List<Long> replay(HistoryReader reader, String viewer, String addonId) {
        Replay replay = reader.replay(addonId, Map.of(0, 0L), Map.of(0, end));
        List<Long> offsets = new ArrayList<>();
        for (boolean done = false; !done; ) {
            HistoryReader.Step<List<ConsumerRecord<byte[], byte[]>>> step;
            try {
                step = reader.read(viewer, replay, List::copyOf).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            long bytes = 0;
            long last = 0;
            for (ConsumerRecord<byte[], byte[]> record : step.prepared()) {
                offsets.add(record.offset());
                bytes += record.serializedValueSize();
                last = record.serializedValueSize();
            }
            assertTrue(bytes - last < HistoryReader.STEP_BYTES, "a step handed over " + bytes + " bytes");
            done = step.done();
        }
        return offsets;
    }

    /** The same offsets in the same order (tens of thousands: the message says where they part). */
    private static void assertReplayed(List<Long> expected, List<Long> replayed) {
        int same = 0;
        while (same < Math.min(expected.size(), replayed.size()) && expected.get(same).equals(replayed.get(same))) {
            same++;
        }
        int at = same;
        assertTrue(expected.equals(replayed), () -> replayed.size() + " records replayed for " + expected.size()
                + ", the first " + at + " as written, then " + replayed.subList(at, Math.min(at + 5, replayed.size()))
                + " for " + expected.subList(at, Math.min(at + 5, expected.size())));
    }

    private static ProducerRecord<byte[], byte[]> record(String addonId, int i) {
        String line = String.format("%s line %07d: connection from 10.0.%d.%d accepted, session started, "
                + "user=app database=main application=worker-%d ssl=on; checkpoint complete: wrote %d buffers "
                + "(0.%d%%); 0 WAL file(s) added", addonId, i, i % 200, i % 250, i % 16, i % 9000, i % 90);
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null,
                line.getBytes(StandardCharsets.UTF_8));
        record.headers().add(LogHeaders.ADDON_ID, addonId.getBytes(StandardCharsets.UTF_8));
        return record;
    }
}
