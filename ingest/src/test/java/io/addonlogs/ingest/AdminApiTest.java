package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.addonlogs.kafka.embedded.Await;
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

    private HttpResponse<String> create(IngestFixture on, JsonObject body) throws Exception {
        return on.http.send(HttpRequest.newBuilder(on.adminUri("/admin/tokens"))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN)
                .POST(BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject addon(String addonId, String ownerId) {
        return new JsonObject().put("addonId", addonId).put("ownerId", ownerId);
    }

    @Test
    void realIdAndNameAreRecordedAndLaterTokensInheritThem() throws Exception {
        HttpResponse<String> first = create(ingest, addon("addon_real", "orga_real")
                .put("realId", "postgresql_0b4f1c2e").put("name", "orders-db"));
        assertEquals(201, first.statusCode(), first.body());
        JsonObject created = new JsonObject(first.body());
        assertEquals("postgresql_0b4f1c2e", created.getString("realId"));
        assertEquals("orders-db", created.getString("name"));

        HttpResponse<String> rotated = create(ingest, addon("addon_real", "orga_real"));
        assertEquals(201, rotated.statusCode(), rotated.body());
        assertEquals("postgresql_0b4f1c2e", new JsonObject(rotated.body()).getString("realId"));
        assertEquals("orders-db", new JsonObject(rotated.body()).getString("name"));
        var known = ingest.service.tokens().addon("postgresql_0b4f1c2e").orElseThrow();
        assertEquals("addon_real", known.id());
        assertEquals(2, known.tokens().size());
        HttpResponse<String> byRealId = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens?addonId=postgresql_0b4f1c2e"))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).GET());
        assertEquals(2, new JsonArray(byRealId.body()).size(), "listed by real id too");

        HttpResponse<String> plain = create(ingest, addon("addon_plain", "orga_real"));
        assertEquals("addon_plain", new JsonObject(plain.body()).getString("realId"), "no real id: the id stands");
    }

    @Test
    void anAddonIdOrRealIdOfSomeoneElseIs409AndChangesNothing() throws Exception {
        assertEquals(201, create(ingest, addon("addon_taken", "orga_first").put("realId", "redis_taken")).statusCode());
        for (JsonObject clash : new JsonObject[] {
                addon("addon_taken", "orga_second"),                            // another owner's add-on id
                addon("addon_taken", "orga_first").put("realId", "redis_other"), // another real id for it
                addon("addon_taken", "orga_first").put("name", "renamed"),      // another name for it
                addon("addon_new", "orga_second").put("realId", "redis_taken"), // someone else's real id
                addon("redis_taken", "orga_second"),                            // an id that is someone's real id
                addon("addon_new2", "orga_second").put("realId", "addon_taken")}) { // a real id that is someone's id
            HttpResponse<String> response = create(ingest, clash);
            assertEquals(409, response.statusCode(), clash.encode() + " -> " + response.body());
            assertEquals("addon_conflict", new JsonObject(response.body()).getString("code"));
        }
        var addon = ingest.service.tokens().addon("addon_taken").orElseThrow();
        assertEquals("orga_first", addon.ownerId());
        assertEquals(1, addon.tokens().size());
        assertTrue(ingest.service.tokens().addon("addon_new").isEmpty());
        assertTrue(ingest.service.tokens().addonsOf("orga_second").isEmpty());
    }

    /**
     * Two instances provisioning the same new add-on id for two owners at once both pass their own registry's check;
     * the record applied first wins on every instance and the other request is undone and answered 409.
     */
    @Test
    void concurrentProvisioningOnTwoInstancesHasExactlyOneWinner() throws Exception {
        Map<String, String> sameTopics = Map.of("TOKENS_TOPIC", ingest.tokensTopic, "LOGS_TOPIC", ingest.logsTopic);
        try (IngestFixture other = new IngestFixture(TestKafka.shared(), sameTopics)) {
            for (int round = 0; round < 10; round++) {
                String addonId = "addon_race_" + round;
                CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(
                        () -> uncheckedCreate(ingest, addon(addonId, "orga_a")));
                CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(
                        () -> uncheckedCreate(other, addon(addonId, "orga_b")));
                List<Integer> statuses = List.of(a.get(60, TimeUnit.SECONDS).statusCode(),
                        b.get(60, TimeUnit.SECONDS).statusCode());
                assertEquals(List.of(201, 409), statuses.stream().sorted().toList(), "round " + round);
                String winner = a.get().statusCode() == 201 ? "orga_a" : "orga_b";
                String winnerToken = new JsonObject((a.get().statusCode() == 201 ? a : b).get().body()).getString("token");
                for (IngestFixture instance : List.of(ingest, other)) {
                    Await.until(() -> instance.service.tokens().byAddon(addonId).size() == 1, "loser's token revoked");
                    var known = instance.service.tokens().addon(addonId).orElseThrow();
                    assertEquals(winner, known.ownerId());
                    assertEquals(List.of(winnerToken), known.tokens());
                }
            }
        }
    }

    private HttpResponse<String> uncheckedCreate(IngestFixture on, JsonObject body) {
        try {
            return create(on, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badCreateBodyIs400() throws Exception {
        for (String body : new String[] {"", "[]", "{\"addonId\":\"a\"}", "{\"addonId\":1,\"ownerId\":\"o\"}",
                "{\"addonId\":\"a\",\"ownerId\":\"o\",\"realId\":\" \"}", "{\"addonId\":\"a\",\"ownerId\":\"o\",\"name\":3}"}) {
            HttpResponse<String> response = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens"))
                    .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).POST(BodyPublishers.ofString(body)));
            assertEquals(400, response.statusCode(), body);
        }
    }

    @Test
    void repeatedFailedAuthenticationIs429ForThatAddressAndASuccessClearsTheCount() throws Exception {
        try (IngestFixture strict = new IngestFixture(TestKafka.shared(), Map.of("INGEST_ADMIN_AUTH_FAILURES", "3"))) {
            HttpRequest.Builder wrong = HttpRequest.newBuilder(strict.adminUri("/admin/tokens?addonId=a"))
                    .header("Authorization", "Bearer " + "x".repeat(IngestFixture.ADMIN_TOKEN.length()));
            HttpRequest.Builder right = HttpRequest.newBuilder(strict.adminUri("/admin/tokens?addonId=a"))
                    .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN);
            List<Integer> statuses = new ArrayList<>();
            for (HttpRequest.Builder request : List.of(wrong, wrong, right, wrong, wrong, wrong)) {
                statuses.add(strict.http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            assertEquals(List.of(401, 401, 200, 401, 401, 401), statuses,
                    "the success in between cleared the first two failures");
            for (HttpRequest.Builder request : List.of(wrong, right)) {
                HttpResponse<String> refused = strict.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(429, refused.statusCode(), "blocked: not even compared");
                assertEquals("too_many_failures", new JsonObject(refused.body()).getString("code"));
                long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
                assertTrue(retryAfter > 0 && retryAfter <= 60, "Retry-After " + retryAfter);
            }
            assertEquals(200, call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens?addonId=a"))
                    .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN)).statusCode(),
                    "another instance's throttle is its own");
            assertEquals(200, strict.http.send(HttpRequest.newBuilder(strict.adminUri("/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), "health is not behind the admin guard");
        }
    }

    @Test
    void anOversizedBodyIs413AndADeeplyNestedOneIs400EachWithOneLogLine() throws Exception {
        String large = new JsonObject().put("addonId", "a".repeat(5000)).put("ownerId", "o").encode();
        String deep = "[".repeat(2000) + "]".repeat(2000); // 4000 bytes: within the body limit, beyond the depth limit
        Map<String, Integer> expected = Map.of(large, 413, deep, 400);
        List<ILoggingEvent> lines = captureLogs(() -> {
            for (Map.Entry<String, Integer> body : expected.entrySet()) {
                for (boolean chunked : List.of(false, true)) {
                    HttpRequest.BodyPublisher publisher = chunked
                            ? BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body.getKey().getBytes()))
                            : BodyPublishers.ofString(body.getKey());
                    HttpResponse<String> response = call(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens"))
                            .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN)
                            .header("Content-Type", "application/json").POST(publisher));
                    assertEquals(body.getValue(), response.statusCode(), response.body());
                    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
                    assertEquals(body.getValue() == 413 ? "too_large" : "bad_request",
                            new JsonObject(response.body()).getString("code"));
                }
            }
        });
        List<String> about = lines.stream().filter(e -> e.getFormattedMessage().contains("/admin/tokens"))
                .map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(4, about.size(), "one line per request: " + about);
        assertTrue(lines.stream().noneMatch(e -> e.getThrowableProxy() != null), "no stack trace");
        assertTrue(lines.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)), "nothing at ERROR");
    }

    /** What every logger logged at INFO and above while {@code action} ran. */
    private static List<ILoggingEvent> captureLogs(ThrowingRunnable action) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        try {
            action.run();
        } finally {
            root.detachAppender(appender);
        }
        return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).toList();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
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
