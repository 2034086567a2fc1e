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
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.service.kafka.ClientConfig;
import io.addonlogs.service.kafka.ConsumerThread;

/**
 * Follows the compacted token topic into a {@link TokenRegistry}: reads it from the beginning, marks the registry
 * caught up once it has reached the end offsets seen at start, then keeps applying new records (a tombstone
 * revokes). One thread owns the {@link KafkaConsumer}; {@link #close()} wakes it and waits.
 *
 * <p>No consumer group: every instance reads every partition, so no commit and no rebalance.
 */
public final class TokenRegistryFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenRegistryFollower.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final String topic;
    private final TokenRegistry registry;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Queue waiters = new Queue();
    private ConsumerThread thread;

    private TokenRegistryFollower(Map<String, String> kafka, String topic, TokenRegistry registry) {
        this.topic = topic;
        this.registry = registry;
        this.consumer = new KafkaConsumer<>(consumerProperties(kafka));
    }

    /**
     * Starts following {@code topic}; {@code kafka}: the service's shared client settings (bootstrap servers,
     * security), see {@code KafkaClientSettings}.
     */
    public static TokenRegistryFollower start(Map<String, String> kafka, String topic, TokenRegistry registry) {
        TokenRegistryFollower follower = new TokenRegistryFollower(kafka, topic, registry);
        follower.thread = ConsumerThread.start("token-registry-follower", follower.consumer, follower::run);
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

    private void run(ConsumerThread thread) {
        try {
            List<TopicPartition> partitions = thread.awaitPartitions(topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> target = new HashMap<>(consumer.endOffsets(partitions));
            while (thread.running()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
                Map<Integer, Long> positions = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    positions.put(tp.partition(), consumer.position(tp));
                }
                if (!registry.isCaughtUp() && target.entrySet().stream()
                        .allMatch(e -> positions.get(e.getKey().partition()) >= e.getValue())) {
                    registry.markCaughtUp();
                    LOG.info("Token registry caught up: {} tokens from {}", registry.size(), topic);
                }
                waiters.completeUpTo(positions);
            }
        } catch (WakeupException e) {
            if (thread.running()) {
                LOG.error("Token registry follower woken up unexpectedly", e);
            }
        } catch (AuthenticationException | AuthorizationException e) {
            LOG.error("Token registry cannot read {}: the registry stays as it is and this instance not ready", topic, e);
        } catch (RuntimeException e) {
            LOG.error("Token registry follower stopped on an unexpected error", e);
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
        thread.close();
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
