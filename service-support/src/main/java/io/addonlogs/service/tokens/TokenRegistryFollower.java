package io.addonlogs.service.tokens;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.service.kafka.ClientConfig;
import io.addonlogs.service.kafka.SupervisedLoop;

/**
 * Follows the compacted token topic into a {@link TokenRegistry}: reads it from the beginning, marks the registry
 * caught up once it has reached the end offsets seen at start, then keeps applying new records (a tombstone
 * revokes). A {@link SupervisedLoop} owns the thread and the {@link KafkaConsumer}: after a retriable error it starts
 * again with a fresh consumer from the position it had applied (nothing is missed or re-read), and is ready again
 * once it has caught up with the end offsets seen at that restart; {@link #close()} wakes it and waits.
 *
 * <p>No consumer group: every instance reads every partition, so no commit and no rebalance.
 */
public final class TokenRegistryFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenRegistryFollower.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final TokenRegistry registry;
    private final Queue waiters = new Queue();
    /** Next offset to apply per partition; touched by the loop's thread only (across its attempts). */
    private final Map<TopicPartition, Long> applied = new HashMap<>();
    private final SupervisedLoop<KafkaConsumer<String, byte[]>> loop;

    private TokenRegistryFollower(Map<String, String> kafka, String topic, TokenRegistry registry) {
        this.topic = topic;
        this.registry = registry;
        this.loop = new SupervisedLoop<>("token-registry-follower",
                () -> new KafkaConsumer<String, byte[]>(consumerProperties(kafka)), this::run,
                SupervisedLoop.Backoff.DEFAULT);
    }

    /**
     * Starts following {@code topic}; {@code kafka}: the service's shared client settings (bootstrap servers,
     * security), see {@code KafkaClientSettings}.
     */
    public static TokenRegistryFollower start(Map<String, String> kafka, String topic, TokenRegistry registry) {
        TokenRegistryFollower follower = new TokenRegistryFollower(kafka, topic, registry);
        follower.loop.start();
        return follower;
    }

    /** The follower's consumer settings: the shared client settings plus its own. */
    static Map<String, Object> consumerProperties(Map<String, String> kafka) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "token-registry");
        // manual assignment, no group: nothing to commit
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new token must work within a poll or two on every instance
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        // a position no longer valid (topic recreated): read it all again rather than skip revocations
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return ClientConfig.of(kafka, props);
    }

    /** Completes once the record at {@code offset} of {@code partition} has been applied to the registry. */
    public CompletableFuture<Void> applied(int partition, long offset) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(new Waiter(partition, offset, done));
        return done;
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
        boolean caughtUp = false;
        while (attempt.running()) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                apply(record);
            }
            Map<Integer, Long> positions = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long position = consumer.position(tp);
                positions.put(tp.partition(), position);
                applied.put(tp, position);
            }
            if (!caughtUp && target.entrySet().stream()
                    .allMatch(e -> positions.get(e.getKey().partition()) >= e.getValue())) {
                caughtUp = true;
                if (!registry.isCaughtUp()) {
                    registry.markCaughtUp();
                    LOG.info("Token registry caught up: {} tokens from {}", registry.size(), topic);
                }
                attempt.caughtUp();
            }
            waiters.completeUpTo(positions);
        }
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            LOG.warn("Ignoring a token record without key at {}-{}@{}", topic, record.partition(), record.offset());
        } else if (record.value() == null) {
            registry.revoke(record.key());
        } else {
            try {
                registry.put(record.key(), TokenRecordJson.fromBytes(record.value()));
            } catch (IllegalArgumentException e) {
                // never log the key: it is a token
                LOG.warn("Ignoring a malformed token record at {}-{}@{}: {}", topic, record.partition(),
                        record.offset(), e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        loop.close();
    }

    private record Waiter(int partition, long offset, CompletableFuture<Void> done) {
    }

    /** Pending {@link #applied} calls; touched by callers and the follower thread. */
    private static final class Queue {
        private final ConcurrentLinkedQueue<Waiter> pending = new ConcurrentLinkedQueue<>();

        void add(Waiter waiter) {
            pending.add(waiter);
        }

        void completeUpTo(Map<Integer, Long> positions) {
            List<Waiter> done = new ArrayList<>();
            for (Iterator<Waiter> it = pending.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                Long position = positions.get(waiter.partition());
                if (position != null && position > waiter.offset()) {
                    it.remove();
                    done.add(waiter);
                }
            }
            done.forEach(waiter -> waiter.done().complete(null));
        }
    }
}
