package io.addonlogs.service.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.kafka.SupervisedLoop.Backoff;
import io.addonlogs.service.kafka.SupervisedLoop.State;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Health as the supervised loops say it: two loops over a real broker, one waiting out a long back-off after a
 * transient error (not ready, still live), the other failed for good (not live).
 */
class ManagementServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void aRestartingLoopMakesItNotReadyAndAFailedOneNotLive() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        String topic = "management-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        Vertx vertx = Vertx.vertx();
        try (SupervisedLoop<KafkaConsumer<byte[], byte[]>> restarting = loop("restarting", kafka, topic);
             SupervisedLoop<KafkaConsumer<byte[], byte[]>> failing = loop("failing", kafka, topic)) {
            ManagementServer server = new ManagementServer("127.0.0.1", 0,
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Map.of("other", () -> true),
                    List.of(restarting, failing), router -> { });
            vertx.deployVerticle(server).await();
            String base = "http://127.0.0.1:" + server.actualPort();
            Await.until(() -> restarting.ready() && failing.ready(), "both loops running");
            assertEquals(200, get(base + ManagementServer.READY_PATH).statusCode());

            restarting.injectFailure(new DisconnectException("injected by the test"));
            Await.until(() -> restarting.status().state() == State.RESTARTING, "waiting out its back-off");
            HttpResponse<String> ready = get(base + ManagementServer.READY_PATH);
            assertEquals(503, ready.statusCode(), ready.body());
            JsonObject body = new JsonObject(ready.body());
            assertEquals(new JsonObject().put("other", "UP").put("restarting", "DOWN").put("failing", "UP"),
                    body.getJsonObject("checks"));
            assertTrue(body.getJsonObject("loops").getString("restarting").startsWith("RESTARTING since "), ready.body());
            assertEquals(200, get(base + ManagementServer.LIVE_PATH).statusCode(), "restarting is still live");

            failing.injectFailure(new TopicAuthorizationException("injected by the test"));
            Await.until(() -> !failing.alive(), "failed");
            HttpResponse<String> live = get(base + ManagementServer.LIVE_PATH);
            assertEquals(503, live.statusCode(), live.body());
            assertEquals(new JsonObject().put("restarting", "UP").put("failing", "DOWN"),
                    new JsonObject(live.body()).getJsonObject("checks"));
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void aPathIsLoggedWithAtMostItsFirstTwoSegments() {
        assertEquals("/admin/tokens/…", ManagementServer.firstSegments("/admin/tokens/lt_secret"));
        assertEquals("/admin/tokens", ManagementServer.firstSegments("/admin/tokens"));
        assertEquals("/health/ready", ManagementServer.firstSegments("/health/ready"));
    }

    /** A loop whose restart waits ten minutes, so the test sees it restarting as long as it needs. */
    private static SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop(String name, KafkaCluster kafka, String topic) {
        return new SupervisedLoop<KafkaConsumer<byte[], byte[]>>(name, () -> new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()), (consumer, attempt) -> {
                    consumer.assign(attempt.awaitPartitions(topic));
                    attempt.caughtUp();
                    while (attempt.running()) {
                        consumer.poll(Duration.ofMillis(50));
                    }
                }, new Backoff(Duration.ofMinutes(10), Duration.ofMinutes(10))).start();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
