package io.addonlogs.consumer.drains;

import io.addonlogs.service.kafka.ClientConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainJson;
import io.addonlogs.common.drains.DrainPartitionKey;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainStatusJson;
import io.addonlogs.service.drains.DrainRegistry;
import io.addonlogs.service.kafka.CompactedTopicFollower;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The consumer's side of drains: the definitions (followed from {@code DRAINS_TOPIC}, written with one producer), and
 * the statuses the workers publish ({@code DRAIN_STATUS_TOPIC}). A write completes once this instance's registry has
 * applied it, so the caller's next request here sees it.
 */
public final class DrainStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DrainStore.class);

    private final Vertx vertx;
    private final DrainsApiConfig config;
    private final DrainRegistry registry = new DrainRegistry();
    private final CompactedTopicFollower drains;
    private final CompactedTopicFollower statuses;
    private final Map<String, Map<Integer, DrainStatus>> status = new ConcurrentHashMap<>();
    private final KafkaProducer<String, byte[]> producer;

    public DrainStore(Vertx vertx, Map<String, String> kafka, DrainsApiConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.drains = registry.follow(kafka, config.drainsTopic(), config.secrets());
        this.statuses = CompactedTopicFollower.start("drain-status-follower", kafka, config.statusTopic(),
                this::applyStatus, () -> { });
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "log-consumer-drains");
        // a drain the API confirmed must survive a broker loss
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // an API call waits for its write: fail it rather than hang when brokers are gone
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(ClientConfig.of(kafka, props));
    }

    private void applyStatus(ConsumerRecord<String, byte[]> record) {
        try {
            DrainPartitionKey key = DrainPartitionKey.parse(record.key());
            if (record.value() == null) {
                status.computeIfPresent(key.drainId(), (id, of) -> {
                    of.remove(key.partition());
                    return of.isEmpty() ? null : of;
                });
            } else {
                status.computeIfAbsent(key.drainId(), id -> new ConcurrentHashMap<>())
                        .put(key.partition(), DrainStatusJson.fromBytes(record.value()));
            }
        } catch (IllegalArgumentException e) {
            LOG.warn("Ignoring drain status {} at {}@{}: {}", record.key(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    public DrainRegistry registry() {
        return registry;
    }

    public int maxPerAddon() {
        return config.maxPerAddon();
    }

    /** The drain's statuses per partition as the workers last published them. */
    public List<DrainStatus> statuses(String drainId) {
        Map<Integer, DrainStatus> of = status.get(drainId);
        return of == null ? List.of() : List.copyOf(of.values());
    }

    /** Stores the drain; completes once this instance's registry has it. */
    public Future<DrainDefinition> put(DrainDefinition drain) {
        return write(drain.id(), DrainJson.toBytes(drain, config.secrets())).map(drain);
    }

    /** Removes the drain (a tombstone; workers drop its cursors); completes once applied here. */
    public Future<Void> remove(String drainId) {
        return write(drainId, null).mapEmpty();
    }

    private Future<RecordMetadata> write(String key, byte[] value) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        // send() may block up to max.block.ms while metadata is missing: never on an event loop
        return vertx.executeBlocking(() -> producer.send(new ProducerRecord<>(config.drainsTopic(), key, value),
                        (meta, error) -> {
                            if (error != null) {
                                sent.completeExceptionally(error);
                            } else {
                                sent.complete(meta);
                            }
                        }), false)
                .compose(f -> Future.fromCompletionStage(sent))
                .compose(meta -> Future.fromCompletionStage(drains.applied(meta.partition(), meta.offset())
                        .orTimeout(10, TimeUnit.SECONDS)).map(meta));
    }

    public List<SupervisedLoop<?>> loops() {
        return List.of(drains.loop(), statuses.loop());
    }

    @Override
    public void close() {
        producer.close();
        drains.close();
        statuses.close();
    }
}
