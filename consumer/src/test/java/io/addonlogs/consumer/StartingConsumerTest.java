package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.management.ManagementServer;
import io.vertx.core.json.JsonObject;

/**
 * A consumer listens before it has read the token registry to its end (a load balancer may send it viewers before it
 * is ready); meanwhile an add-on it does not know yet gets 503 {@code starting} with Retry-After, never the 404 a
 * viewer would take as final, and it is not ready. Once the registry is read, the same request is served and an
 * add-on that does not exist is 404. The registry's read is held by {@link HeldTopics} (a test hook through the
 * {@code KAFKA_*} pass-through) after the consumer has fetched the add-on's record and before it applies it.
 * The ingest side: ingest's StartingInstanceTest.
 */
class StartingConsumerTest {

    private static final String OWNER = "orga_starting";

    @Test
    void anAddonNotReadYetIs503StartingUntilTheRegistryIsRead() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 3, 0, Map.of());
             HeldTopics.Hold registry = HeldTopics.hold(fixture.tokensTopic)) {
            String token = "lt_starting-" + System.nanoTime();
            fixture.register(token, "addon_starting", OWNER);
            TailService consumer = fixture.startConsumerNotAwaited(Map.of(HeldTopics.VARIABLE,
                    HeldTopics.class.getName()));

            registry.awaitHeld();
            // only the registry is missing: the live reader knows the logs topic's partitions
            Await.until(() -> consumer.tailsPartitionCount() == fixture.partitions, "the live reader's partitions");
            assertFalse(consumer.tokens().isCaughtUp());
            assertTrue(consumer.tokens().lookup(token).isEmpty(), "the record is fetched, not applied");
            for (String addon : List.of("addon_starting", "addon_never_created")) {
                HttpResponse<String> starting = tail(fixture, consumer, addon);
                assertEquals(503, starting.statusCode(), addon + ": " + starting.body());
                assertEquals("starting", new JsonObject(starting.body()).getString("code"), addon);
                assertEquals(String.valueOf(TailConfig.RETRY_AFTER_SECONDS),
                        starting.headers().firstValue("Retry-After").orElse(null), addon);
            }
            HttpResponse<String> unready = ready(fixture, consumer);
            assertEquals(503, unready.statusCode(), unready.body());
            JsonObject checks = new JsonObject(unready.body()).getJsonObject("checks");
            assertEquals("DOWN", checks.getString("tokenRegistry"), unready.body());
            assertEquals("UP", checks.getString("kafka"), unready.body());

            registry.release();
            Await.until(consumer::ready, "the registry read");
            assertEquals(200, ready(fixture, consumer).statusCode());
            try (SseClient sse = SseClient.open(fixture.tailUri(consumer, OWNER, "addon_starting", ""),
                    bearer(viewerOf(OWNER)))) {
                assertEquals(200, sse.status, sse.errorBody);
                assertTrue(sse.contentType.startsWith("text/event-stream"), sse.contentType);
                fixture.post(token, List.of("served once the registry is read"));
                assertEquals(List.of("served once the registry is read"), messages(sse.next(1, 10_000)));
            }
            HttpResponse<String> missing = tail(fixture, consumer, "addon_never_created");
            assertEquals(404, missing.statusCode(), missing.body());
            assertEquals("not_found", new JsonObject(missing.body()).getString("code"));
            assertTrue(missing.headers().firstValue("Retry-After").isEmpty(), "a final answer");
        }
    }

    private static HttpResponse<String> tail(TailFixture fixture, TailService consumer, String addon)
            throws Exception {
        return fixture.http.send(HttpRequest.newBuilder(fixture.tailUri(consumer, OWNER, addon, ""))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + viewerOf(OWNER)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> ready(TailFixture fixture, TailService consumer) throws Exception {
        return fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.managementPort()
                + ManagementServer.READY_PATH)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
