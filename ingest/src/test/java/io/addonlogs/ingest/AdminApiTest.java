package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class AdminApiTest {

    static IngestFixture ingest;

    @BeforeAll
    static void start() {
        ingest = new IngestFixture(TestKafka.shared(), Map.of());
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    private HttpResponse<String> call(HttpRequest.Builder builder) throws Exception {
        return ingest.http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutOrWithAWrongBearerIs401() throws Exception {
        String body = "{\"addonId\":\"a\",\"ownerId\":\"o\"}";
        HttpResponse<String> none = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens"))
                .POST(BodyPublishers.ofString(body)));
        assertEquals(401, none.statusCode());
        assertEquals("unauthorized", new JsonObject(none.body()).getString("code"));
        HttpResponse<String> wrong = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens"))
                .header("Authorization", "Bearer not-the-admin-token").POST(BodyPublishers.ofString(body)));
        assertEquals(401, wrong.statusCode());
        HttpResponse<String> list = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens?addonId=a")).GET());
        assertEquals(401, list.statusCode());
        assertEquals(0, ingest.service.tokens().byAddon("a").size());
    }

    @Test
    void createListAndRevoke() throws Exception {
        String token = ingest.provision("addon_admin", "orga_admin");
        String second = ingest.provision("addon_admin", "orga_admin");
        assertNotEquals(token, second);
        assertTrue(token.matches("lt_[A-Za-z0-9_-]{32}"), token);

        HttpResponse<String> list = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens?addonId=addon_admin"))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).GET());
        assertEquals(200, list.statusCode());
        JsonArray tokens = new JsonArray(list.body());
        assertEquals(2, tokens.size());
        assertEquals("orga_admin", tokens.getJsonObject(0).getString("ownerId"));

        HttpResponse<String> revoke = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens/" + token))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).DELETE());
        assertEquals(204, revoke.statusCode());
        assertTrue(ingest.service.tokens().lookup(token).isEmpty(), "revoked on this instance when 204 is sent");
        HttpResponse<String> again = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens/" + token))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).DELETE());
        assertEquals(404, again.statusCode());
    }

    @Test
    void badCreateBodyIs400() throws Exception {
        for (String body : new String[] {"", "[]", "{\"addonId\":\"a\"}", "{\"addonId\":1,\"ownerId\":\"o\"}"}) {
            HttpResponse<String> response = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens"))
                    .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).POST(BodyPublishers.ofString(body)));
            assertEquals(400, response.statusCode(), body);
        }
    }

    @Test
    void healthAndMetrics() throws Exception {
        assertEquals(200, call(HttpRequest.newBuilder(ingest.adminUri("/health/live")).GET()).statusCode());
        HttpResponse<String> ready = call(HttpRequest.newBuilder(ingest.adminUri("/health/ready")).GET());
        assertEquals(200, ready.statusCode(), ready.body());
        String metrics = call(HttpRequest.newBuilder(ingest.adminUri("/metrics")).GET()).body();
        assertTrue(metrics.contains("ingest_inflight_bytes"), "own meters");
        assertTrue(metrics.contains("kafka_producer_"), "Kafka client meters");
        assertTrue(metrics.contains("vertx_http_server"), "Vert.x meters");
    }
}
