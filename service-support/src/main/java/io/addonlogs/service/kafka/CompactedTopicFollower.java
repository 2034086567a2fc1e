package io.addonlogs.service.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a compacted topic into an in-memory view: reads every partition from the beginning (no group, so no
 * commit and no rebalance: every instance holds the whole view), calls {@code caughtUp} once it has reached the end
 * offsets seen at start, then keeps applying new records (a null value is a tombstone). A {@link SupervisedLoop} owns
 * the thread and the consumer: after a retriable error it starts again with a fresh consumer from the positions it
 * had applied (nothing missed or re-read). Used for the token registry, the drain definitions, the drains' cursors
 * and their statuses.
 */
public final class CompactedTopicFollower implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);

    /** Applies one record on the follower's thread; {@code value} null is a tombstone. */
    @FunctionalInterface
    public interface Apply {
        void apply(ConsumerRecord<String, byte[]> record);
    }

    private final String topic;
    private final Apply apply;
    private final Runnable caughtUp;
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    /** Next offset to apply per partition; touched by the loop's thread only (across its attempts). */
    private final Map<TopicPartition, Long> applied = new HashMap<>();
    private volatile Map<Integer, Long> positions = Map.of();
    private final SupervisedLoop<KafkaConsumer<String, byte[]>> loop;

    private CompactedTopicFollower(String name, Map<String, String> kafka, String topic, Apply apply,
                                   Runnable caughtUp) {
        this.topic = topic;
        this.apply = apply;
        this.caughtUp = caughtUp;
        this.loop = new SupervisedLoop<>(name, () -> newConsumer(kafka, name), this::run,
                SupervisedLoop.Backoff.DEFAULT);
    }

    /**
     * Starts following {@code topic}; {@code kafka}: the service's shared client settings (bootstrap servers,
     * security), see {@code KafkaClientSettings}.
     */
    public static CompactedTopicFollower start(String name, Map<String, String> kafka, String topic, Apply apply,
                                               Runnable caughtUp) {
        CompactedTopicFollower follower = new CompactedTopicFollower(name, kafka, topic, apply, caughtUp);
        follower.loop.start();
        return follower;
    }

    private static KafkaConsumer<String, byte[]> newConsumer(Map<String, String> kafka, String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // manual assignment, no group: nothing to commit
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a change must apply within a poll or two on every instance
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // a position no longer valid (topic recreated): read it all again rather than skip removals
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(ClientConfig.of(kafka, props));
    }

    /** Completes once the record at {@code offset} of {@code partition} has been applied. */
    public CompletableFuture<Void> applied(int partition, long offset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(new Waiter(partition, offset, done));
        completeWaiters(positions);
        return done;
    }

    /** Completes once every record before {@code ends} (partition to end offset) has been applied. */
    public CompletableFuture<Void> appliedUpTo(Map<Integer, Long> ends) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        ends.forEach((partition, end) -> {
            if (end > 0) {
                all.add(applied(partition, end - 1));
            }
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** The loop, for the management server: ready once caught up (again, after a restart), not live once failed. */
    public SupervisedLoop<?> loop() {
        return loop;
    }

    private void run(KafkaConsumer<String, byte[]> consumer, SupervisedLoop.Attempt attempt) {
        List<TopicPartition> partitions = attempt.awaitPartitions(topic);
        consumer.assign(partitions);
        for (TopicPartition tp : partitions) {
            Long next = applied.get(tp);
            if (next == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, next);
            }
        }
        Map<TopicPartition, Long> target = new HashMap<>(consumer.endOffsets(partitions));
        boolean upToDate = false;
        while (attempt.running()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                apply.apply(record);
            }
            Map<Integer, Long> now = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long position = consumer.position(tp);
                now.put(tp.partition(), position);
                applied.put(tp, position);
            }
            positions = Map.copyOf(now);
            if (!upToDate && target.entrySet().stream()
                    .allMatch(e -> now.get(e.getKey().partition()) >= e.getValue())) {
                upToDate = true;
                caughtUp.run();
                attempt.caughtUp();
            }
            completeWaiters(now);
        }
    }

    private void completeWaiters(Map<Integer, Long> at) {
        List<Waiter> done = new ArrayList<>();
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            Long position = at.get(waiter.partition());
            if (position != null && position > waiter.offset() && waiters.remove(waiter)) {
                done.add(waiter);
            }
        }
        done.forEach(waiter -> waiter.done().complete(null));
    }

    @Override
    public void close() {
        loop.close();
    }

    private record Waiter(int partition, long offset, CompletableFuture<Void> done) {
    }
}
