package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.frame;
import static io.addonlogs.ingest.Frames.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.ingest.http.LogsHttpVerticle;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.ratelimit.PartialFrameBudget;
import io.addonlogs.ingest.ratelimit.TokenRateLimiter;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.service.limits.PerKeyLimit;
import io.addonlogs.service.tokens.TokenRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;

/**
 * The request pauses while Kafka is behind, using a sink that acknowledges only when the test says so
 * ({@link MockProducer} without auto-complete): the body is not read past the high-water mark, and the answer
 * comes only after the last acknowledgement.
 */
class BackPressureTest {

    static final String TOKEN = "lt_backpressure";
    static final long HIGH_WATER = 64 * 1024;

    Vertx vertx;
    MockProducer<byte[], byte[]> producer;
    KafkaLogPublisher publisher;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Node node = new Node(0, "localhost", 9092);
        Cluster cluster = new Cluster("test", List.of(node),
                List.of(new PartitionInfo("logs", 0, node, new Node[] {node}, new Node[] {node})), Set.of(), Set.of());
        producer = new MockProducer<>(cluster, false, null, new ByteArraySerializer(), new ByteArraySerializer());
        IngestConfig config = IngestConfig.from(Map.of("INGEST_HOST", "127.0.0.1", "INGEST_PORT", "0",
                "INGEST_INFLIGHT_HIGH_WATER_BYTES", String.valueOf(HIGH_WATER), "INGEST_MAX_FRAME_BYTES", "4096",
                "INGEST_KAFKA_TIMEOUT_MS", "60000"));
        TokenRegistry tokens = new TokenRegistry();
        tokens.put(TOKEN, new TokenRecord("addon_bp", "orga_bp", Instant.now()));
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), () -> publisher.inFlightBytes());
        publisher = new KafkaLogPublisher(vertx, producer, "logs", HIGH_WATER, HIGH_WATER / 2, metrics);
        publisher.start();
        Await.until(publisher::available, "metadata fetched");
        verticle = new LogsHttpVerticle(config, SocketAddress.inetSocketAddress(0, config.host()), tokens, publisher, metrics,
                new TokenRateLimiter(0, 0, 1, System::nanoTime), new PartialFrameBudget(config.maxPartialFrameBytes()),
                new PerKeyLimit(config.maxRequestsPerToken()), () -> false);
        vertx.deployVerticle(verticle).await();
    }

    LogsHttpVerticle verticle;

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    @Test
    void pausesAtTheHighWaterMarkAndAnswersAfterTheLastAck() throws Exception {
        byte[] frameBytes = frame(line(TOKEN, "p".repeat(150))).getBytes(StandardCharsets.UTF_8);
        int frames = 20_000; // about 4 MB, 60 times the high-water mark
        CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + "/logs"))
                        .header("Authorization", IngestFixture.basic(TOKEN))
                        .header("Content-Type", "application/logplex-1")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(
                                () -> new LargeBodyTest.RepeatingStream(frameBytes, frames))).build(),
                HttpResponse.BodyHandlers.ofString());

        // Kafka acknowledges nothing: the request must stall with in-flight bytes near the mark
        Await.until(() -> publisher.overHighWater(), "high-water mark reached");
        int sentWhileStalled = producer.history().size();
        Thread.sleep(300); // give a broken implementation time to read on; a paused request sends nothing more
        assertEquals(sentWhileStalled, producer.history().size(), "nothing more is sent while over the mark");
        assertTrue(publisher.inFlightBytes() <= HIGH_WATER + 16 * 1024 + 4096 + 200, "in flight stays bounded");
        assertTrue(sentWhileStalled < frames / 10, "most of the body is still unread: " + sentWhileStalled);
        assertTrue(!response.isDone(), "no answer before the acknowledgements");

        // acknowledge as they come until the body is through
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!response.isDone() && System.nanoTime() < deadline) {
            while (producer.completeNext()) {
                // acknowledge everything sent so far
            }
            Thread.sleep(1);
        }
        assertEquals(204, response.get().statusCode(), response.get().body());
        assertEquals(frames, producer.history().size());
        assertEquals(0, publisher.inFlightBytes());
    }

    @Test
    void aFailedSendIs503WithRetryAfter() throws Exception {
        byte[] body = frame(line(TOKEN, "will fail")).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + verticle.actualPort() + "/logs"))
                        .header("Authorization", IngestFixture.basic(TOKEN))
                        .header("Content-Type", "application/logplex-1")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        Await.until(() -> producer.history().size() == 1, "record sent");
        producer.errorNext(new org.apache.kafka.common.errors.NotEnoughReplicasException("test"));
        assertEquals(503, response.get().statusCode());
        assertEquals("5", response.get().headers().firstValue("Retry-After").orElseThrow());
        assertTrue(response.get().body().contains("kafka_unavailable"));
    }
}
