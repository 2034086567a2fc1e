package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.runtime.ServiceRuntime;
import io.vertx.core.json.JsonObject;

/**
 * An instance that listens before it has read the token registry (its topic missing here, as it is for a moment
 * after every start) answers a token it does not know with 503 {@code starting} and Retry-After, not with a 401 that
 * a provider would take as final: a load balancer that has not seen the restart yet sends requests there
 * (RollingRestartTest in deploy found it). Once the registry is read, an unknown token is 401 again.
 */
class StartingInstanceTest {

    @Test
    void unknownTokenIs503StartingUntilTheRegistryIsRead() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        String logsTopic = "logs-" + UUID.randomUUID();
        String tokensTopic = "tokens-" + UUID.randomUUID();
        kafka.createTopic(logsTopic, 1);
        ServiceRuntime runtime = ServiceRuntime.create();
        IngestService service = IngestService.start(runtime.vertx(), runtime.registry(), IngestConfig.from(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "LOGS_TOPIC", logsTopic,
                "TOKENS_TOPIC", tokensTopic, "INGEST_HOST", "127.0.0.1", "INGEST_PORT", "0",
                "INGEST_MANAGEMENT_PORT", "0", "INGEST_ADMIN_TOKEN", IngestFixture.ADMIN_TOKEN,
                "INGEST_RETRY_AFTER_SECONDS", "2"))).await();
        try {
            HttpResponse<String> starting = post(service);
            assertFalse(service.ready());
            assertEquals(503, starting.statusCode(), starting.body());
            assertEquals("starting", new JsonObject(starting.body()).getString("code"));
            assertEquals("2", starting.headers().firstValue("Retry-After").orElse(null));

            kafka.createTopic(tokensTopic, 1, (short) 1, Map.of("cleanup.policy", "compact"));
            Await.until(service::ready, "the registry read");
            HttpResponse<String> unknown = post(service);
            assertEquals(401, unknown.statusCode(), unknown.body());
            assertTrue(unknown.headers().firstValue("WWW-Authenticate").isPresent());
        } finally {
            service.stop().await();
            runtime.vertx().close().await();
        }
    }

    private static HttpResponse<String> post(IngestService service) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port()
                + "/logs")).timeout(Duration.ofSeconds(10))
                .header("Authorization", IngestFixture.basic("lt_not-a-known-token"))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(Frames.body(List.of(
                        Frames.line("lt_not-a-known-token", "hello"))))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
