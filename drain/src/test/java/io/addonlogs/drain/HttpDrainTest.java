package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.drains.Secret;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * HTTP drains: RAW_HTTP into this project's own ingest (add-on A's lines into add-on B's token, losslessly) and into a
 * recording stand-in (logplex headers, a retry after a 500 with the same frame id); Elasticsearch, Datadog, New
 * Relic and Better Stack against recording stand-ins, checked against the request shapes of the vendors' docs.
 */
class HttpDrainTest {

    private static final String TOKEN_A = "lt_http_drain_a_0123456789abcdef0123";
    private static final String TOKEN_B = "lt_http_drain_b_0123456789abcdef0123";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DrainFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new DrainFixture(TestKafka.shared(), 2, Map.of());
        fixture.startWorker();
        fixture.register(TOKEN_A, "addon_http_a", "real_http_a", "orga_test");
        fixture.register(TOKEN_B, "addon_http_b", "real_http_b", "orga_test");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static DrainRecipient recipient(DrainType type, String url, String index, String user, String password,
                                            String apiKey, String sourceToken) {
        return new DrainRecipient(type, Secret.of(url), index, user, Secret.of(password), Secret.of(apiKey),
                Secret.of(sourceToken), null);
    }

    @Test
    void rawHttpIntoOurOwnIngestIsLossless() throws Exception {
        fixture.drain("addon_http_a", recipient(DrainType.RAW_HTTP, "http://127.0.0.1:" + fixture.ingest.port() + "/logs",
                null, "token", TOKEN_B, null, null));
        Thread.sleep(1500);
        List<String> messages = DrainFixture.range("round trip ", 0, 300);
        for (int i = 0; i < messages.size(); i += 50) {
            fixture.post(TOKEN_A, messages.subList(i, i + 50));
        }
        List<String> expected = messages.stream().map(m -> DrainFixture.line(TOKEN_B, m)).toList();
        Await.until(() -> fixture.stored("addon_http_b").size() >= expected.size(), "B's lines stored");
        assertEquals(expected, fixture.stored("addon_http_b"));
    }

    @Test
    void anHttpRequestCarriesAtMost500LinesWhateverTheBatchSetting() throws Exception {
        String token = "lt_http_drain_c_0123456789abcdef0123";
        fixture.register(token, "addon_http_c", "real_http_c", "orga_test");
        try (RecordingServer receiver = new RecordingServer(204, "", 1)) {
            fixture.drain("addon_http_c", recipient(DrainType.RAW_HTTP, receiver.url("/drain"), null, null, null,
                    null, null));
            Thread.sleep(1500);
            fixture.post(token, List.of("first"));
            Await.until(() -> receiver.requests.size() == 1, "the first request, failed: back-off");
            List<String> backlog = IntStream.range(0, 1200).mapToObj(i -> "line " + i).toList();
            fixture.post(token, backlog); // read back from Kafka once the back-off ends, in batches
            Await.until(() -> receiver.requests.stream().skip(1)
                    .mapToInt(r -> Integer.parseInt(r.header("Logplex-Msg-Count"))).sum() == 1201, "every line");
            List<Integer> counts = receiver.requests.stream().skip(1)
                    .map(r -> Integer.parseInt(r.header("Logplex-Msg-Count"))).toList();
            assertTrue(counts.stream().allMatch(n -> n <= 500), "at most 500 lines a request (DRAIN_BATCH_LINES "
                    + "is 2000): " + counts);
            assertTrue(counts.stream().anyMatch(n -> n == 500), "full requests of 500: " + counts);
        }
    }

    @Test
    void rawHttpSpeaksLogplexAndRetriesTheSameFrame() throws Exception {
        try (RecordingServer receiver = new RecordingServer(204, "", 1)) {
            DrainDefinition drain = fixture.drain("addon_http_a", recipient(DrainType.RAW_HTTP,
                    receiver.url("/drain"), null, "user", "pw", null, null));
            Thread.sleep(1500);
            fixture.post(TOKEN_A, List.of("one", "two"));
            Await.until(() -> receiver.requests.size() >= 2, "a failed request and its retry");
            RecordingServer.Request failed = receiver.requests.get(0);
            RecordingServer.Request retried = receiver.requests.get(1);
            for (RecordingServer.Request r : List.of(failed, retried)) {
                assertEquals("POST", r.method());
                assertEquals("/drain", r.uri());
                assertEquals("application/logplex-1", r.header("Content-Type"));
                assertEquals("2", r.header("Logplex-Msg-Count"));
                assertEquals("d." + drain.id(), r.header("Logplex-Drain-Token"));
                assertEquals(basic("user", "pw"), r.header("Authorization"));
                String one = DrainFixture.forwarded("pw", "one");
                String two = DrainFixture.forwarded("pw", "two");
                assertEquals(one.length() + " " + one + two.length() + " " + two, r.body());
                assertFalse(r.body().contains(TOKEN_A));
            }
            assertEquals(failed.header("Logplex-Frame-Id"), retried.header("Logplex-Frame-Id"));
        }
    }

    @Test
    void vendorsGetTheirDocumentedRequests() throws Exception {
        try (RecordingServer es = new RecordingServer(200, "{\"took\":3,\"errors\":false,\"items\":[]}", 0);
             RecordingServer dd = new RecordingServer(202, "{}", 0);
             RecordingServer nr = new RecordingServer(202, "{\"requestId\":\"x\"}", 0);
             RecordingServer bs = new RecordingServer(202, "", 0)) {
            fixture.drain("addon_http_a", recipient(DrainType.ELASTICSEARCH, es.url("/_bulk"), "logstash", "elastic",
                    "es-pw", null, null));
            fixture.drain("addon_http_a", recipient(DrainType.DATADOG,
                    dd.url("/api/v2/logs?dd-api-key=dd-key&ddsource=clevercloud"), null, null, null, null, null));
            fixture.drain("addon_http_a", recipient(DrainType.NEWRELIC, nr.url("/log/v1"), null, null, null, "nr-key",
                    null));
            fixture.drain("addon_http_a", recipient(DrainType.BETTERSTACK, bs.url("/"), null, null, null, null,
                    "bs-token"));
            Thread.sleep(1500);
            fixture.post(TOKEN_A, List.of("vendor line 1", "vendor line 2"));
            Await.until(() -> !es.requests.isEmpty() && !dd.requests.isEmpty() && !nr.requests.isEmpty()
                    && !bs.requests.isEmpty(), "every vendor got a request");

            // Elasticsearch _bulk: action and document per line, NDJSON ending with a newline, Basic auth
            RecordingServer.Request bulk = es.requests.get(0);
            assertEquals("/_bulk", bulk.uri());
            assertEquals("application/x-ndjson", bulk.header("Content-Type"));
            assertEquals(basic("elastic", "es-pw"), bulk.header("Authorization"));
            assertTrue(bulk.body().endsWith("\n"));
            String[] ndjson = bulk.body().split("\n");
            assertEquals(4, ndjson.length);
            assertEquals("{\"index\":{\"_index\":\"logstash-2026.11.23\"}}", ndjson[0]);
            JsonNode doc = JSON.readTree(ndjson[1]);
            assertEquals("2026-11-23T10:11:12.345Z", doc.get("@timestamp").asText());
            assertEquals("vendor line 1", doc.get("message").asText());
            assertEquals("real_http_a", doc.get("appName").asText());
            assertEquals("pg-host", doc.get("hostname").asText());
            assertEquals("info", doc.get("severity").asText());

            // Datadog: a JSON array of {message, hostname, service, status, ...}; the key as the URL carries it
            RecordingServer.Request datadog = dd.requests.get(0);
            assertEquals("/api/v2/logs?dd-api-key=dd-key&ddsource=clevercloud", datadog.uri());
            assertEquals("application/json", datadog.header("Content-Type"));
            JsonNode items = JSON.readTree(datadog.body());
            assertEquals(2, items.size());
            assertEquals("vendor line 2", items.get(1).get("message").asText());
            assertEquals("pg-host", items.get(0).get("hostname").asText());
            assertEquals("real_http_a", items.get(0).get("service").asText());
            assertEquals("info", items.get(0).get("status").asText());

            // New Relic: [{common:{attributes}, logs:[{timestamp, message, attributes}]}] with Api-Key
            RecordingServer.Request newRelic = nr.requests.get(0);
            assertEquals("nr-key", newRelic.header("Api-Key"));
            JsonNode nrBody = JSON.readTree(newRelic.body());
            assertEquals("real_http_a", nrBody.get(0).get("common").get("attributes").get("service").asText());
            JsonNode log = nrBody.get(0).get("logs").get(0);
            assertEquals(1795428672345L, log.get("timestamp").asLong());
            assertEquals("vendor line 1", log.get("message").asText());
            assertEquals("pg-host", log.get("attributes").get("hostname").asText());

            // Better Stack: a JSON array of {dt, message}, Bearer source token
            RecordingServer.Request betterStack = bs.requests.get(0);
            assertEquals("Bearer bs-token", betterStack.header("Authorization"));
            JsonNode events = JSON.readTree(betterStack.body());
            assertEquals("2026-11-23T10:11:12.345Z", events.get(0).get("dt").asText());
            assertEquals("vendor line 1", events.get(0).get("message").asText());

            List<String> bodies = new ArrayList<>();
            for (RecordingServer server : List.of(es, dd, nr, bs)) {
                server.requests.forEach(r -> bodies.add(r.body() + r.headers()));
            }
            assertTrue(bodies.stream().noneMatch(b -> b.contains(TOKEN_A)), "the log token reached a vendor");
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
