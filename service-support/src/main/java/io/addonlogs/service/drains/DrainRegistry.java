package io.addonlogs.service.drains;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainJson;
import io.addonlogs.common.drains.DrainSecrets;
import io.addonlogs.service.kafka.CompactedTopicFollower;

/**
 * The in-memory copy of the compacted drains topic ({@code DRAINS_TOPIC}): drain id to definition, secrets opened.
 * Kept current by {@link #follow}; read from any thread (the consumer's API, the drain worker's event loop).
 */
public final class DrainRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(DrainRegistry.class);

    private final Map<String, DrainDefinition> drains = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    /** Starts following {@code topic} into this registry; records that do not open with {@code secrets} are skipped. */
    public CompactedTopicFollower follow(Map<String, String> kafka, String topic, DrainSecrets secrets) {
        return CompactedTopicFollower.start("drain-registry-follower", kafka, topic,
                record -> apply(record, secrets), () -> caughtUp = true);
    }

    private void apply(ConsumerRecord<String, byte[]> record, DrainSecrets secrets) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            remove(record.key());
            return;
        }
        try {
            put(DrainJson.fromBytes(record.value(), secrets));
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring drain record {} at {}@{}: {}", record.key(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    public Optional<DrainDefinition> get(String id) {
        return Optional.ofNullable(drains.get(id));
    }

    public Collection<DrainDefinition> all() {
        return drains.values();
    }

    /** The drains of one add-on (by its id), oldest first. */
    public List<DrainDefinition> ofAddon(String addonId) {
        return drains.values().stream().filter(d -> d.addonId().equals(addonId))
                .sorted((a, b) -> a.createdAt().compareTo(b.createdAt())).toList();
    }

    public boolean isCaughtUp() {
        return caughtUp;
    }

    /** Applied by the follower; public for tests without Kafka. */
    public void put(DrainDefinition drain) {
        drains.put(drain.id(), drain);
    }

    public void remove(String id) {
        drains.remove(id);
    }
}
