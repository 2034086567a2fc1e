package io.addonlogs.service.tokens;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.service.kafka.CompactedTopicFollower;
import io.addonlogs.service.kafka.SupervisedLoop;

/**
 * Follows the compacted token topic into a {@link TokenRegistry} ({@link CompactedTopicFollower}: from the
 * beginning, supervised, restarting from what it applied): marks the registry caught up once it has reached the end
 * offsets seen at start, then keeps applying new records (a tombstone revokes).
 */
public final class TokenRegistryFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TokenRegistryFollower.class);

    private final CompactedTopicFollower follower;

    private TokenRegistryFollower(Map<String, String> kafka, String topic, TokenRegistry registry) {
        this.follower = CompactedTopicFollower.start("token-registry-follower", kafka, topic,
                record -> apply(topic, registry, record), () -> {
                    if (!registry.isCaughtUp()) {
                        registry.markCaughtUp();
                        LOG.info("Token registry caught up: {} tokens from {}", registry.size(), topic);
                    }
                });
    }

    /**
     * Starts following {@code topic}; {@code kafka}: the service's shared client settings (bootstrap servers,
     * security), see {@code KafkaClientSettings}.
     */
    public static TokenRegistryFollower start(Map<String, String> kafka, String topic, TokenRegistry registry) {
        return new TokenRegistryFollower(kafka, topic, registry);
    }

    /** Completes once the record at {@code offset} of {@code partition} has been applied to the registry. */
    public CompletableFuture<Void> applied(int partition, long offset) {
        return follower.applied(partition, offset);
    }

    /** The loop, for the management server: ready once caught up (again, after a restart), not live once failed. */
    public SupervisedLoop<?> loop() {
        return follower.loop();
    }

    private static void apply(String topic, TokenRegistry registry, ConsumerRecord<String, byte[]> record) {
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
        follower.close();
    }
}
