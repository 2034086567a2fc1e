package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.LogplexPost;
import io.addonlogs.service.runtime.ServiceRuntime;

/** Ingest plus consumer instances over a real Kafka with fresh topics; helpers to post lines and mint viewers. */
final class TailFixture implements AutoCloseable {

    static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";
    static final String ADMIN_TOKEN = "tail-fixture-admin-token-0123456789abc";

    final KafkaCluster kafka;
    final String logsTopic = "logs-" + UUID.randomUUID();
    final String tokensTopic = "tokens-" + UUID.randomUUID();
    final int partitions;
    final ServiceRuntime runtime = ServiceRuntime.create();
    final IngestService ingest;
    private final List<IngestService> extraIngests = new ArrayList<>();
    private final List<ServiceRuntime> extraIngestRuntimes = new ArrayList<>();
    final List<TailService> consumers = new ArrayList<>();
    private final List<ServiceRuntime> consumerRuntimes = new ArrayList<>();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> consumerSettings;

    TailFixture(KafkaCluster kafka, int partitions, int consumerCount, Map<String, String> consumerSettings) {
        this.kafka = kafka;
        this.partitions = partitions;
        this.consumerSettings = consumerSettings;
        kafka.createTopic(logsTopic, partitions);
        kafka.createTopic(logsTopic + "-index", partitions);
        kafka.createTopic(tokensTopic, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        ingest = IngestService.start(runtime.vertx(), runtime.registry(), ingestConfig()).await();
        for (int i = 0; i < consumerCount; i++) {
            startConsumer();
        }
        Await.until(ingest::ready, "ingest ready");
    }

    private IngestConfig ingestConfig() {
        return IngestConfig.from(common(Map.of("INGEST_PORT", "0", "INGEST_MANAGEMENT_PORT", "0",
                "INGEST_EVENT_LOOPS", "1", "INGEST_ADMIN_TOKEN", ADMIN_TOKEN)));
    }

    /** A second (third...) ingest instance on the same topics, as another process would be. */
    IngestService startIngest() {
        ServiceRuntime own = ServiceRuntime.create();
        IngestService extra = IngestService.start(own.vertx(), own.registry(), ingestConfig()).await();
        extraIngestRuntimes.add(own);
        extraIngests.add(extra);
        Await.until(extra::ready, "extra ingest ready");
        return extra;
    }

    TailService startConsumer() {
        return startConsumer(0);
    }

    /** A consumer on this port (0: a free one), e.g. to restart one where its clients expect it. */
    TailService startConsumer(int port) {
        return startConsumer(port, Map.of());
    }

    /** A consumer on a free port with these settings over the fixture's. */
    TailService startConsumerWith(Map<String, String> settings) {
        return startConsumer(0, settings);
    }

    private TailService startConsumer(int port, Map<String, String> settings) {
        TailService consumer = startConsumerNotAwaited(port, settings);
        Await.until(consumer::ready, "consumer ready");
        return consumer;
    }

    /** A consumer on a free port with these settings, not waited for: it may still be reading the registry. */
    TailService startConsumerNotAwaited(Map<String, String> settings) {
        return startConsumerNotAwaited(0, settings);
    }

    private TailService startConsumerNotAwaited(int port, Map<String, String> settings) {
        Map<String, String> env = common(Map.of("CONSUMER_PORT", String.valueOf(port), "CONSUMER_MANAGEMENT_PORT", "0",
                "VIEWER_JWT_SECRET", SECRET));
        env.putAll(consumerSettings);
        env.putAll(settings);
        // each instance gets its own Vert.x, as separate processes would
        ServiceRuntime own = ServiceRuntime.create();
        consumerRuntimes.add(own);
        TailService consumer = TailService.start(own.vertx(), own.registry(), TailConfig.from(env)).await();
        consumers.add(consumer);
        return consumer;
    }

    private Map<String, String> common(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LOGS_TOPIC", logsTopic, "TOKENS_TOPIC", tokensTopic, "INGEST_HOST", "127.0.0.1",
                "CONSUMER_HOST", "127.0.0.1"));
        env.putAll(extra);
        return env;
    }

    /** Registers a token in the registry topic, and waits until ingest and every consumer know it. */
    void register(String token, String addonId, String ownerId) throws Exception {
        register(token, new TokenRecord(addonId, ownerId, Instant.now()));
    }

    /** Registers a token with this record (real id and name included), and waits until every service knows it. */
    void register(String token, TokenRecord record) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(tokensTopic, token.getBytes(StandardCharsets.UTF_8),
                    TokenRecordJson.toBytes(record))).get(30, TimeUnit.SECONDS);
        }
        Await.until(() -> ingest.tokens().lookup(token).isPresent()
                && consumers.stream().allMatch(c -> c.tokens().lookup(token).isPresent()), "token known");
    }

    /** Stops one consumer as a crash or a deployment would, ending its viewers' streams. */
    void stopConsumer(TailService consumer) {
        int i = consumers.indexOf(consumer);
        bounded(consumer.stop(), "consumer " + i + " stop");
        bounded(consumerRuntimes.get(i).vertx().close(), "consumer " + i + " Vert.x close");
        consumers.remove(i);
        consumerRuntimes.remove(i);
    }

    static String line(String token, String msg) {
        return line(190, token, msg);
    }

    static String line(int pri, String token, String msg) {
        return "<" + pri + ">1 2026-11-23T10:11:12.345Z pg-host " + token + " postgres.7 - - " + msg;
    }

    /** POSTs the messages as one body to ingest (local7.info); expects 204. */
    void post(String token, List<String> messages) throws Exception {
        postLines(messages.stream().map(msg -> line(token, msg)).toList());
    }

    /** POSTs these syslog lines (their APP-NAME is the token) as one body to ingest; expects 204. */
    void postLines(List<String> lines) throws Exception {
        String token = lines.get(0).split(" ")[3];
        HttpResponse<String> response = LogplexPost.send(http, ingest.port(), token, lines);
        assertEquals(204, response.statusCode(), response.body());
    }

    URI tailUri(TailService consumer, String ownerId, String addonId, String query) {
        return URI.create("http://127.0.0.1:" + consumer.port() + "/v4/logs/organisations/" + ownerId + "/resources/"
                + addonId + "/logs" + (query.isEmpty() ? "" : "?" + query));
    }

    /** The status of a tail request of the owner's viewer (the body of a 200 is not read: the stream is cancelled). */
    int tailStatus(TailService consumer, String ownerId, String addonId) throws Exception {
        HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(
                        tailUri(consumer, ownerId, addonId, ""))
                .header("Authorization", "Bearer " + viewerOf(ownerId)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        response.body().close();
        return response.statusCode();
    }

    static String viewerToken(List<String> owners, List<String> addons, Instant expires, String secret)
            throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                .claim("owners", owners).claim("addons", addons).expirationTime(Date.from(expires)).build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static String viewerOf(String ownerId) throws Exception {
        return viewerToken(List.of(ownerId), List.of(), Instant.now().plusSeconds(3600), SECRET);
    }

    /** The messages of these RESOURCE_LOG events, in order. */
    static List<String> messages(List<SseClient.Event> events) {
        return events.stream().map(e -> LogEventJson.fromJson(e.data()).message()).toList();
    }

    /** {@code prefix + i} for i in [from, to). */
    static List<String> range(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
    }

    static Map<String, String> bearer(String jwt) {
        return Map.of("Authorization", "Bearer " + jwt);
    }


    private static void bounded(io.vertx.core.Future<Void> stopping, String what) {
        try {
            stopping.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(what + " did not complete within 30 s", e);
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < consumers.size(); i++) {
            ServiceRuntime own = consumerRuntimes.get(i);
            bounded(consumers.get(i).stop(), "consumer " + i + " stop");
            bounded(own.vertx().close(), "consumer " + i + " Vert.x close");
        }
        for (int i = 0; i < extraIngests.size(); i++) {
            bounded(extraIngests.get(i).stop(), "extra ingest " + i + " stop");
            bounded(extraIngestRuntimes.get(i).vertx().close(), "extra ingest " + i + " Vert.x close");
        }
        bounded(ingest.stop(), "ingest stop");
        bounded(runtime.vertx().close(), "ingest Vert.x close");
    }
}
