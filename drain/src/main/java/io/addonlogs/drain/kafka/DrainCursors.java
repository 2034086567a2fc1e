package io.addonlogs.drain.kafka;

import io.addonlogs.service.kafka.ClientConfig;
import java.util.HashMap;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainPartitionKey;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainStatusJson;
import io.addonlogs.service.kafka.CompactedTopicFollower;

/**
 * The drains' cursors (compacted topic {@code DRAIN_CURSORS_TOPIC}, key {@code <drain>/<partition>}, value the next
 * offset to deliver, in decimal) as every worker last wrote them, and the one producer through which this worker
 * writes cursors and statuses ({@code DRAIN_STATUS_TOPIC}). A worker taking a partition over waits until it has read
 * the cursors topic to its end ({@link #readToEnd}), so it starts each drain where the previous owner's last
 * acknowledged delivery left it.
 */
public final class DrainCursors implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrainCursors.class);

    private final String cursorsTopic;
    private final String statusTopic;
    private final Map<String, Long> cursors = new ConcurrentHashMap<>();
    private final CompactedTopicFollower follower;
    private final KafkaProducer<String, byte[]> producer;
    private volatile boolean caughtUp;

    public DrainCursors(Map<String, String> kafka, String cursorsTopic, String statusTopic) {
        this.cursorsTopic = cursorsTopic;
        this.statusTopic = statusTopic;
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "log-drain-cursors");
        // a cursor is the record of a delivery: every in-sync replica has it before it counts
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // cursors of one key stay in order across retries
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // a drain's next batch waits until its cursor is stored: no lingering (records queued while a request is in
        // flight still go together in the next one)
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(ClientConfig.of(kafka, props));
        this.follower = CompactedTopicFollower.start("drain-cursors-follower", kafka, cursorsTopic,
                this::apply, () -> caughtUp = true);
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            cursors.remove(record.key());
            return;
        }
        try {
            cursors.put(record.key(), Long.parseLong(new String(record.value(), StandardCharsets.US_ASCII)));
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring a malformed cursor {} at {}@{}", record.key(), record.partition(), record.offset());
        }
    }

    /** The drain's cursor on the partition as last read from the topic, or null. */
    public Long get(DrainPartitionKey key) {
        return cursors.get(key.toString());
    }

    /**
     * Writes a cursor (after its delivery was acknowledged); never blocks (metadata is fetched at start-up). The
     * future completes, on the producer's thread, once every in-sync replica has it, or fails with Kafka's error.
     */
    public CompletableFuture<Void> write(DrainPartitionKey key, long next) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(cursorsTopic, key.toString(),
                    Long.toString(next).getBytes(StandardCharsets.US_ASCII)), (meta, error) -> {
                        if (error != null) {
                            LOG.warn("Cursor {} = {} not written ({})", key, next, error.toString());
                            stored.completeExceptionally(error);
                        } else {
                            stored.complete(null);
                        }
                    });
        } catch (KafkaException | IllegalStateException e) {
            // refused before sending (the producer closed, or failed for good): as a failed write
            LOG.warn("Cursor {} = {} not written ({})", key, next, e.toString());
            stored.completeExceptionally(e);
        }
        cursors.put(key.toString(), next);
        return stored;
    }

    public void publish(DrainStatus status) {
        producer.send(new ProducerRecord<>(statusTopic, new DrainPartitionKey(status.drainId(), status.partition())
                .toString(), DrainStatusJson.toBytes(status)));
    }

    /** A removed drain's cursor and status, tombstoned. */
    public void forget(DrainPartitionKey key) {
        producer.send(new ProducerRecord<>(cursorsTopic, key.toString(), null));
        producer.send(new ProducerRecord<>(statusTopic, key.toString(), null));
        cursors.remove(key.toString());
    }

    /**
     * Blocks (on the thread taking partitions over) until every cursor written before now is read: the end offsets of
     * the cursors topic, as {@code endOffsets} gives them.
     */
    public CompletableFuture<Void> readToEnd(Map<Integer, Long> endOffsets) {
        return follower.appliedUpTo(endOffsets);
    }

    public String topic() {
        return cursorsTopic;
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    public CompactedTopicFollower follower() {
        return follower;
    }

    @Override
    public void close() {
        producer.close();
        follower.close();
    }
}
