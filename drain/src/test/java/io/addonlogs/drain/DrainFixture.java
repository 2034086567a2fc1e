package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainJson;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainSecrets;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainStatusJson;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.drains.Secret;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.consumer.kafka.LogRecords;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.LogplexPost;
import io.addonlogs.service.runtime.ServiceRuntime;

/** An ingest and drain workers over a real Kafka with fresh topics; helpers to add tokens and drains and post lines. */
final class DrainFixture implements AutoCloseable {

    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.US_ASCII));
    static final String ADMIN_TOKEN = "drain-fixture-admin-token-0123456789abc";

    final KafkaCluster kafka;
    final String logsTopic = "logs-" + UUID.randomUUID();
    final String tokensTopic = "tokens-" + UUID.randomUUID();
    final String drainsTopic = "drains-" + UUID.randomUUID();
    final String cursorsTopic = "cursors-" + UUID.randomUUID();
    final String statusTopic = "status-" + UUID.randomUUID();
    final String group = "drain-group-" + UUID.randomUUID();
    final DrainSecrets secrets = DrainSecrets.fromBase64(KEY);
    final ServiceRuntime runtime = ServiceRuntime.create();
    final IngestService ingest;
    final List<DrainService> workers = new ArrayList<>();
    private final List<ServiceRuntime> workerRuntimes = new ArrayList<>();
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, String> settings;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    DrainFixture(KafkaCluster kafka, int partitions, Map<String, String> settings) {
        this.kafka = kafka;
        this.settings = settings;
        kafka.createTopic(logsTopic, partitions);
        kafka.createTopic(logsTopic + "-index", partitions);
        for (String compacted : List.of(tokensTopic, drainsTopic, cursorsTopic, statusTopic)) {
            kafka.createTopic(compacted, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
        // the lines of one POST in one producer batch, so a drain takes them in one delivery: the tests that check
        // a request's lines (vendors' formats, logplex counts) post them together. With the ingest's default of 1 ms
        // a batch could leave before the POST's next line was parsed.
        ingest = IngestService.start(runtime.vertx(), runtime.registry(), IngestConfig.from(env(Map.of(
                "INGEST_PORT", "0", "INGEST_MANAGEMENT_PORT", "0", "INGEST_EVENT_LOOPS", "1",
                "INGEST_ADMIN_TOKEN", ADMIN_TOKEN, "INGEST_PRODUCER_LINGER_MS", "5")))).await();
        Await.until(ingest::ready, "ingest ready");
    }

    Map<String, String> env(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LOGS_TOPIC", logsTopic, "TOKENS_TOPIC", tokensTopic, "DRAINS_TOPIC", drainsTopic,
                "DRAIN_CURSORS_TOPIC", cursorsTopic, "DRAIN_STATUS_TOPIC", statusTopic, "DRAINS_SECRET_KEY", KEY,
                "INGEST_HOST", "127.0.0.1", "DRAIN_MANAGEMENT_PORT", "0", "DRAIN_MANAGEMENT_HOST", "127.0.0.1"));
        env.putAll(Map.of("DRAIN_GROUP", group, "DRAIN_BACKOFF_INITIAL_MS", "200", "DRAIN_BACKOFF_MAX_MS", "1000", "DRAIN_STATUS_MS", "200",
                "DRAIN_TIMEOUT_MS", "2000"));
        env.putAll(settings);
        env.putAll(extra);
        return env;
    }

    DrainService startWorker() {
        ServiceRuntime own = ServiceRuntime.create();
        DrainService worker = DrainService.start(own.vertx(), own.registry(), DrainConfig.from(env(Map.of()))).await();
        workerRuntimes.add(own);
        workers.add(worker);
        Await.until(worker::ready, "drain worker ready");
        return worker;
    }

    /** Stops a worker as a deployment or a crash of its process would (its deliveries in flight are dropped). */
    void stopWorker(DrainService worker) {
        int i = workers.indexOf(worker);
        worker.stop().toCompletionStage().toCompletableFuture().join();
        workerRuntimes.get(i).vertx().close().toCompletionStage().toCompletableFuture().join();
        workers.remove(i);
        workerRuntimes.remove(i);
    }

    ServiceRuntime runtimeOf(DrainService worker) {
        return workerRuntimes.get(workers.indexOf(worker));
    }

    void register(String token, String addonId, String realId, String ownerId) throws Exception {
        producer.send(new ProducerRecord<>(tokensTopic, token, TokenRecordJson.toBytes(
                new TokenRecord(addonId, ownerId, Instant.now(), realId, null)))).get(30, TimeUnit.SECONDS);
        Await.until(() -> ingest.tokens().lookup(token).isPresent()
                && workers.stream().allMatch(w -> w.tokens().lookup(token).isPresent()), "token known");
    }

    DrainDefinition drain(String addonId, DrainType type, String url) throws Exception {
        return drain(addonId, new DrainRecipient(type, Secret.of(url), null, null, null, null, null, null));
    }

    DrainDefinition drain(String addonId, DrainRecipient recipient) throws Exception {
        DrainDefinition drain = new DrainDefinition("drain_" + UUID.randomUUID(), addonId, "orga_test", null,
                recipient, true, Instant.now(), null);
        put(drain);
        return drain;
    }

    void put(DrainDefinition drain) throws Exception {
        producer.send(new ProducerRecord<>(drainsTopic, drain.id(), DrainJson.toBytes(drain, secrets)))
                .get(30, TimeUnit.SECONDS);
        Await.until(() -> workers.stream().allMatch(w -> drain.equals(w.drains().get(drain.id()).orElse(null))),
                "drain known");
    }

    static String line(String token, String msg) {
        return "<190>1 2026-11-23T10:11:12.345Z pg-host " + token + " postgres.7 - - " + msg;
    }

    /** The line as a drain forwards it: APP-NAME is the real id. */
    static String forwarded(String realId, String msg) {
        return "<190>1 2026-11-23T10:11:12.345Z pg-host " + realId + " postgres.7 - - " + msg;
    }

    void post(String token, List<String> messages) throws Exception {
        postLines(token, messages.stream().map(m -> line(token, m)).toList());
    }

    void postLines(String token, List<String> lines) throws Exception {
        HttpResponse<String> response = LogplexPost.send(http, ingest.port(), token, lines);
        assertEquals(204, response.statusCode(), response.body());
    }

    /** The latest status of each drain partition in the status topic. */
    Map<String, DrainStatus> statuses() {
        Map<String, DrainStatus> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(statusTopic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = consumer.endOffsets(partitions).get(partitions.get(0));
            while (consumer.position(partitions.get(0)) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), DrainStatusJson.fromBytes(record.value()));
                    }
                }
            }
        }
        return latest;
    }

    /** The values of the logs topic's records whose add-on is {@code addonId}, per partition in offset order. */
    List<String> stored(String addonId) {
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(logsTopic).stream()
                    .map(p -> new TopicPartition(logsTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (addonId.equals(LogRecords.addonId(record))) {
                        out.add(new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out;
    }

    static List<String> range(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Override
    public void close() {
        for (DrainService worker : List.copyOf(workers)) {
            stopWorker(worker);
        }
        runtime.shutDown(ingest::stop);
        producer.close();
    }
}
