package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.service.runtime.ServiceRuntime;
import io.vertx.core.json.JsonObject;

/** An ingest service on random ports over a real Kafka, with fresh topics, and helpers to drive and inspect it. */
final class IngestFixture implements AutoCloseable {

    static final String ADMIN_TOKEN = "ingest-fixture-admin-token-0123456789";

    final KafkaCluster kafka;
    final String logsTopic = "logs-" + UUID.randomUUID();
    final String tokensTopic = "tokens-" + UUID.randomUUID();
    final ServiceRuntime runtime;
    final IngestService service;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    IngestFixture(KafkaCluster kafka, Map<String, String> settings) {
        this(kafka, settings, (short) 1);
    }

    /** With {@code replication} above 1, topics get {@code min.insync.replicas} = replication - 1 (as in production). */
    IngestFixture(KafkaCluster kafka, Map<String, String> settings, short replication) {
        this.kafka = kafka;
        Map<String, String> minIsr = replication > 1
                ? Map.of("min.insync.replicas", String.valueOf(replication - 1)) : Map.of();
        kafka.createTopic(logsTopic, 3, replication, minIsr);
        Map<String, String> compacted = new HashMap<>(minIsr);
        compacted.put("cleanup.policy", "compact");
        kafka.createTopic(tokensTopic, 1, replication, compacted);
        Map<String, String> env = new HashMap<>(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LOGS_TOPIC", logsTopic,
                "TOKENS_TOPIC", tokensTopic,
                "INGEST_HOST", "127.0.0.1",
                "INGEST_PORT", "0",
                "INGEST_MANAGEMENT_PORT", "0",
                "INGEST_ADMIN_TOKEN", ADMIN_TOKEN,
                "INGEST_EVENT_LOOPS", "2",
                "INGEST_SHUTDOWN_DELAY_MS", "0")); // ShutdownDelayTest sets one; elsewhere it only slows tests
        env.putAll(settings);
        runtime = ServiceRuntime.create();
        service = IngestService.start(runtime.vertx(), runtime.registry(), IngestConfig.from(env)).await();
        Await.until(service::ready, "ingest ready");
    }

    URI logsUri() {
        return URI.create("http://127.0.0.1:" + service.port() + "/logs");
    }

    URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + service.managementPort() + path);
    }

    /** Provisions a token through the admin API, as the platform would. */
    String provision(String addonId, String ownerId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(adminUri("/admin/tokens"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("addonId", addonId)
                        .put("ownerId", ownerId).encode()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return new JsonObject(response.body()).getString("token");
    }

    /** Writes a registry record directly (for fixed tokens such as the seed's {@code logtoken_foobar}). */
    void registerDirectly(String token, TokenRecord record) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(tokensTopic, token.getBytes(StandardCharsets.UTF_8),
                    TokenRecordJson.toBytes(record))).get(30, TimeUnit.SECONDS);
        }
        Await.until(() -> service.tokens().lookup(token).isPresent(), "token registered");
    }

    HttpRequest.Builder post(String token) {
        return HttpRequest.newBuilder(logsUri())
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", basic(token))
                .header("Content-Type", "application/logplex-1");
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a GET, or -1 if nothing answers (a child process starting, say). */
    int status(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("token:" + token).getBytes(StandardCharsets.UTF_8));
    }

    /** Every record of the logs topic with this key, in offset order per partition: exactly what Kafka holds. */
    List<ConsumerRecord<byte[], byte[]>> recordsFor(String token) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(logsTopic).stream()
                    .map(p -> new TopicPartition(logsTopic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read the logs topic to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (new String(record.key(), StandardCharsets.UTF_8).equals(token)) {
                        out.add(record);
                    }
                }
            }
        }
        return out;
    }

    static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).collect(Collectors.toList());
    }


    @Override
    public void close() {
        service.stop().await();
        runtime.vertx().close().await();
    }
}
