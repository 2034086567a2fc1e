package io.addonlogs.consumer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays one add-on's past lines for one viewer: a short-lived {@link KafkaConsumer} on a worker thread reads each
 * partition from a start offset up to (excluding) the offset where the viewer's live feed begins, keeps the add-on's
 * records and hands them over in batches, waiting for each batch to be written before reading on (so a slow viewer
 * slows only its own replay, and memory stays at one batch).
 */
public final class HistoryReader {

    private final String bootstrapServers;
    private final String topic;

    public HistoryReader(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    /** For each partition, the first offset whose record timestamp is at or after {@code sinceMillis}. Blocking. */
    public Map<Integer, Long> offsetsAt(Iterable<Integer> partitions, long sinceMillis, Map<Integer, Long> fallback) {
        KafkaConsumer<byte[], byte[]> consumer = newConsumer();
        try {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(new TopicPartition(topic, p), sinceMillis));
            Map<Integer, Long> out = new HashMap<>();
            consumer.offsetsForTimes(query, Duration.ofSeconds(30)).forEach((tp, found) ->
                    out.put(tp.partition(), found == null ? fallback.get(tp.partition()) : found.offset()));
            return out;
        } finally {
            close(consumer);
        }
    }

    /**
     * Reads {@code [from, to)} of each partition; {@code deliver} gets each batch of the add-on's records and
     * returns once it is written (false = stop, the viewer is gone). Blocking: run it on a worker thread.
     */
    public void replay(String addonId, Map<Integer, Long> from, Map<Integer, Long> to,
                       Function<List<ConsumerRecord<byte[], byte[]>>, Boolean> deliver, BooleanSupplier cancelled) {
        Map<TopicPartition, Long> end = new HashMap<>();
        from.forEach((p, start) -> {
            Long stop = to.get(p);
            if (stop != null && start < stop) {
                end.put(new TopicPartition(topic, p), stop);
            }
        });
        if (end.isEmpty()) {
            return;
        }
        KafkaConsumer<byte[], byte[]> consumer = newConsumer();
        try {
            consumer.assign(end.keySet());
            end.keySet().forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
            while (!end.isEmpty() && !cancelled.getAsBoolean()) {
                List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    Long stop = end.get(tp);
                    if (stop != null && record.offset() < stop && addonId.equals(LogRecords.addonId(record))) {
                        batch.add(record);
                    }
                }
                end.keySet().removeIf(tp -> consumer.position(tp) >= end.get(tp));
                consumer.assign(end.keySet());
                if (!batch.isEmpty() && !deliver.apply(batch)) {
                    return;
                }
            }
        } finally {
            close(consumer);
        }
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        return new KafkaConsumer<>(LogRecords.consumerConfig(bootstrapServers, "log-consumer-history"));
    }

    private static void close(KafkaConsumer<byte[], byte[]> consumer) {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
