package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainStatusJson;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The v4 drains API on a real broker: create (by real id), list, get, disable, enable, check, remove; secrets never
 * answered nor stored in clear; the workers' statuses summed into execution and backlog; 400/401/403/404/409.
 */
class DrainsApiTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String DRAINS = "drains-" + UUID.randomUUID();
    private static final String STATUS = "drain-status-" + UUID.randomUUID();
    private static TailFixture fixture;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        kafka.createTopic(DRAINS, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(STATUS, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        fixture = new TailFixture(kafka, 2, 1, Map.of("DRAINS_SECRET_KEY", KEY, "DRAINS_TOPIC", DRAINS,
                "DRAIN_STATUS_TOPIC", STATUS, "DRAINS_MAX_PER_ADDON", "3"));
        fixture.register("lt_drains_api_0123456789abcdef0123456", new TokenRecord("addon_dr", "orga_dr", Instant.now(),
                "postgresql_dr", "db"));
        base = "http://127.0.0.1:" + fixture.consumers.get(0).port() + "/v4/drains/organisations/orga_dr/resources/";
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static HttpResponse<String> call(String method, String url, String body, String owner) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (owner != null) {
            request.header("Authorization", "Bearer " + TailFixture.viewerOf(owner));
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject create(String recipient) throws Exception {
        HttpResponse<String> created = call("POST", base + "postgresql_dr/drains",
                "{\"kind\":\"LOG\",\"recipient\":" + recipient + "}", "orga_dr");
        assertEquals(200, created.statusCode(), created.body());
        return new JsonObject(created.body());
    }

    @Test
    void createListDisableEnableCheckRemove() throws Exception {
        ServerSocket listening = new ServerSocket(0);
        try {
            JsonObject drain = create("{\"type\":\"SYSLOG_TCP\",\"url\":\"tcp://127.0.0.1:" + listening.getLocalPort() + "\"}");
            String id = drain.getString("id");
            assertEquals("SYSLOG_TCP", drain.getJsonObject("recipient").getString("type"));
            assertEquals("ENABLED", drain.getJsonObject("status").getString("status"));
            assertEquals("PENDING", drain.getJsonObject("execution").getString("status"));
            assertEquals(0, drain.getJsonObject("backlog").getLong("msgBacklog"));

            JsonArray list = new JsonArray(call("GET", base + "addon_dr/drains", null, "orga_dr").body());
            assertTrue(list.stream().anyMatch(d -> ((JsonObject) d).getString("id").equals(id)), list.encode());

            JsonObject disabled = new JsonObject(call("PUT", base + "postgresql_dr/drains/" + id + "/disable", null,
                    "orga_dr").body());
            assertEquals("DISABLED", disabled.getJsonObject("status").getString("status"));
            assertEquals("DISABLED", new JsonObject(call("GET", base + "postgresql_dr/drains/" + id, null, "orga_dr")
                    .body()).getJsonObject("status").getString("status"));
            JsonObject enabled = new JsonObject(call("PUT", base + "postgresql_dr/drains/" + id + "/enable", null,
                    "orga_dr").body());
            assertEquals("ENABLED", enabled.getJsonObject("status").getString("status"));

            JsonObject probe = new JsonObject(call("POST", base + "postgresql_dr/drains/" + id + "/check", null,
                    "orga_dr").body());
            assertTrue(probe.getBoolean("ok"), probe.encode());
            listening.close();
            probe = new JsonObject(call("POST", base + "postgresql_dr/drains/" + id + "/check", null, "orga_dr").body());
            assertFalse(probe.getBoolean("ok"), probe.encode());

            assertEquals(200, call("DELETE", base + "postgresql_dr/drains/" + id, null, "orga_dr").statusCode());
            assertEquals(404, call("GET", base + "postgresql_dr/drains/" + id, null, "orga_dr").statusCode());
        } finally {
            listening.close();
        }
    }

    @Test
    void secretsAreNeverAnsweredNorStoredInClear() throws Exception {
        JsonObject es = create("{\"type\":\"ELASTICSEARCH\",\"url\":\"https://elastic:url-pw-1@es.example/_bulk\","
                + "\"index\":\"logs\",\"username\":\"elastic\",\"password\":\"es-pw-1\"}");
        JsonObject ovh = create("{\"type\":\"OVH_TCP\",\"url\":\"tcp+tls://gra1.logs.ovh.com:6514\","
                + "\"rfc5424StructuredDataParameters\":\"X-OVH-TOKEN=\\\"ovh-tok-1\\\"\"}");
        assertEquals("X-OVH-TOKEN=\"***\"", ovh.getJsonObject("recipient").getString("rfc5424StructuredDataParameters"));
        assertEquals("https://elastic:***@es.example/_bulk", es.getJsonObject("recipient").getString("url"));
        String answers = es.encode() + ovh.encode() + call("GET", base + "addon_dr/drains", null, "orga_dr").body();
        List<String> stored = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(DRAINS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    stored.add(r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        for (String secret : List.of("url-pw-1", "es-pw-1", "ovh-tok-1")) {
            assertFalse(answers.contains(secret), secret + " answered");
            assertTrue(stored.stream().noneMatch(v -> v.contains(secret)), secret + " stored in clear");
        }
        for (JsonObject d : List.of(es, ovh)) {
            call("DELETE", base + "addon_dr/drains/" + d.getString("id"), null, "orga_dr");
        }
    }

    @Test
    void showsTheWorkersStatusesSummed() throws Exception {
        String id = create("{\"type\":\"SYSLOG_UDP\",\"url\":\"udp://127.0.0.1:5514\"}").getString("id");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                fixture.kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            Instant t = Instant.parse("2026-11-25T10:00:00Z");
            producer.send(new ProducerRecord<>(STATUS, id + "/0", DrainStatusJson.toBytes(new DrainStatus(id, 0,
                    new DrainStatus.Execution("RUNNING", 0, null, t, null, null, null), 5, 2.0, 100, 10, 0, t))));
            producer.send(new ProducerRecord<>(STATUS, id + "/1", DrainStatusJson.toBytes(new DrainStatus(id, 1,
                    new DrainStatus.Execution("RETRYING", 3, null, t, t.plusSeconds(4), t.minusSeconds(60),
                            "connection refused"), 7, 1.0, 50, 10, 3, t)))).get(30, TimeUnit.SECONDS);
        }
        Await.until(() -> {
            try {
                JsonObject d = new JsonObject(call("GET", base + "addon_dr/drains/" + id, null, "orga_dr").body());
                return d.getJsonObject("backlog").getLong("msgBacklog") == 12;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "the statuses summed");
        JsonObject d = new JsonObject(call("GET", base + "addon_dr/drains/" + id, null, "orga_dr").body());
        JsonObject execution = d.getJsonObject("execution");
        assertEquals("RETRYING", execution.getString("status"));
        assertEquals(3, execution.getInteger("attempt"));
        // no limit (docs/api.md): present and null, never a number the retries would stop at
        assertTrue(execution.containsKey("maxAttempt"), execution.encode());
        assertNull(execution.getValue("maxAttempt"), execution.encode());
        assertEquals("connection refused", execution.getString("lastError"));
        assertEquals("2026-11-25T10:00:04Z", execution.getString("nextAttemptAt"));
        assertEquals(3.0, d.getJsonObject("backlog").getDouble("msgRateOut"));
        call("DELETE", base + "addon_dr/drains/" + id, null, "orga_dr");
    }

    @Test
    void refusesWhatItMust() throws Exception {
        String url = base + "addon_dr/drains";
        assertEquals(401, call("GET", url, null, null).statusCode());
        assertEquals(403, call("GET", url, null, "orga_other").statusCode());
        assertEquals(404, call("GET", base + "addon_nope/drains", null, "orga_dr").statusCode());
        assertEquals(404, call("GET", url + "/drain_nope", null, "orga_dr").statusCode());
        assertEquals(400, call("POST", url, "{\"recipient\":{\"type\":\"FTP\",\"url\":\"ftp://x\"}}", "orga_dr").statusCode());
        assertEquals(400, call("POST", url, "{\"recipient\":{\"type\":\"ELASTICSEARCH\",\"url\":\"http://es/_bulk\"}}",
                "orga_dr").statusCode());
        assertEquals(400, call("POST", url, "not json", "orga_dr").statusCode());
        assertEquals(400, call("POST", url, "{\"recipient\":{\"type\":\"SYSLOG_TCP\",\"url\":\"http://h:1\"}}",
                "orga_dr").statusCode());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(create("{\"type\":\"SYSLOG_UDP\",\"url\":\"udp://127.0.0.1:" + (6000 + i) + "\"}").getString("id"));
        }
        HttpResponse<String> fourth = call("POST", url, "{\"recipient\":{\"type\":\"SYSLOG_UDP\",\"url\":\"udp://h:1\"}}",
                "orga_dr");
        assertEquals(409, fourth.statusCode(), fourth.body());
        for (String id : ids) {
            call("DELETE", url + "/" + id, null, "orga_dr");
        }
    }
}
