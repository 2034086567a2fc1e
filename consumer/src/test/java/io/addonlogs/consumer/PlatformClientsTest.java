package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What the platform's own clients need beyond the tail: {@code /v2/summary} to find an add-on's owner and real id,
 * tails by real id, and sign-in delegated to the platform (against a stand-in of its endpoint).
 */
class PlatformClientsTest {

    static final String PG_TOKEN = "lt_platform_pg_000000000000000000000";
    static final String OWN_TOKEN = "lt_platform_own_00000000000000000000";
    static final String OTHER_TOKEN = "lt_platform_other_000000000000000000";
    static final String CLI_HEADER = "OAuth oauth_consumer_key=\"cli\", oauth_token=\"platform-token-ada\", "
            + "oauth_signature=\"consumer-secret%26ada-secret\"";
    static final String ADA = "{\"user\":{\"id\":\"user_ada\",\"name\":\"Ada\"},"
            + "\"owners\":[\"user_ada\",{\"id\":\"orga_pg\",\"name\":\"Postgres Inc\"}],\"addons\":[]}";

    static PlatformSignInStandIn platform;
    static TailFixture fixture;
    static TailService consumer;

    @BeforeAll
    static void start() throws Exception {
        platform = new PlatformSignInStandIn();
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of("VIEWER_AUTH_URL", platform.url(),
                "VIEWER_AUTH_CACHE_ENTRIES", "2", "VIEWER_AUTH_TIMEOUT_MS", "2000"));
        consumer = fixture.consumers.get(0);
        fixture.register(PG_TOKEN, new TokenRecord("addon_pg", "orga_pg", Instant.now(), "postgresql_0b4f1c2e",
                "orders-db"));
        fixture.register(OWN_TOKEN, new TokenRecord("addon_own", "user_ada", Instant.now(), "redis_77aa", "cache"));
        fixture.register(OTHER_TOKEN, new TokenRecord("addon_other", "orga_other", Instant.now(), "mysql_99ff",
                "not-yours"));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        platform.close();
    }

    private static String jwt(String sub, List<String> owners, List<String> addons, Instant expires) throws Exception {
        // a null list leaves the claim out, as a platform minting only one of them would
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(sub)
                .claim("name", "Ada").claim("owners", owners).claim("addons", addons)
                .expirationTime(Date.from(expires)).build());
        jwt.sign(new MACSigner(TailFixture.SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    private static HttpResponse<String> summary(Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.port()
                + "/v2/summary"));
        headers.forEach(request::header);
        return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject summaryOk(Map<String, String> headers) throws Exception {
        HttpResponse<String> response = summary(headers);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return new JsonObject(response.body());
    }

    private static JsonObject addon(String id, String realId, String name) {
        return new JsonObject().put("id", id).put("realId", realId).put("name", name);
    }

    private static JsonObject owner(String id, String name, JsonObject... addons) {
        return new JsonObject().put("id", id).put("name", name).put("applications", new JsonArray())
                .put("addons", new JsonArray(List.of((Object[]) addons))).put("consumers", new JsonArray());
    }

    @Test
    void summaryShowsTheCallerAndTheAddonsTheyMayRead() throws Exception {
        JsonObject summary = summaryOk(bearer(jwt("user_ada", List.of("user_ada", "orga_pg"), null,
                Instant.now().plusSeconds(600))));
        assertEquals(owner("user_ada", "Ada", addon("addon_own", "redis_77aa", "cache")), summary.getJsonObject("user"));
        assertEquals(new JsonArray().add(owner("orga_pg", "orga_pg",
                addon("addon_pg", "postgresql_0b4f1c2e", "orders-db"))), summary.getJsonArray("organisations"));
        assertFalse(summary.encode().contains("addon_other"), "another owner's add-on is not listed");
        assertFalse(summary.encode().contains("lt_"), "no log token");

        JsonObject single = summaryOk(bearer(jwt("user_bob", null, List.of("postgresql_0b4f1c2e"),
                Instant.now().plusSeconds(600))));
        assertEquals(owner("user_bob", "Ada"), single.getJsonObject("user"));
        assertEquals(new JsonArray().add(owner("orga_pg", "orga_pg",
                addon("addon_pg", "postgresql_0b4f1c2e", "orders-db"))), single.getJsonArray("organisations"));
    }

    @Test
    void summaryWithoutCredentialsIs401() throws Exception {
        HttpResponse<String> none = summary(Map.of());
        assertEquals(401, none.statusCode());
        assertEquals("unauthorized", new JsonObject(none.body()).getString("code"));
        String nullOwners = "{\"owners\":[null]}";
        SignedJWT weird = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), JWTClaimsSet.parse(
                "{\"owners\":[null],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}"));
        weird.sign(new MACSigner(TailFixture.SECRET.getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, summary(bearer(weird.serialize())).statusCode(), nullOwners + " is refused, not a 500");
    }

    @Test
    void aTailNamesTheAddonByIdOrRealId() throws Exception {
        String viewer = jwt("user_ada", List.of("orga_pg"), List.of(), Instant.now().plusSeconds(600));
        try (SseClient byRealId = SseClient.open(fixture.tailUri(consumer, "orga_pg", "postgresql_0b4f1c2e", ""),
                bearer(viewer));
             SseClient byId = SseClient.open(fixture.tailUri(consumer, "orga_pg", "addon_pg", ""), bearer(viewer))) {
            assertEquals(200, byRealId.status, byRealId.errorBody);
            fixture.post(PG_TOKEN, List.of("checkpoint complete"));
            for (SseClient sse : List.of(byRealId, byId)) {
                JsonObject line = new JsonObject(sse.next(1, 10_000).get(0).data());
                assertEquals("checkpoint complete", line.getString("message"));
                assertEquals("addon_pg", LogEventJson.fromJson(line.encode()).resourceId());
            }
        }
        try (SseClient otherOwners = SseClient.open(fixture.tailUri(consumer, "orga_other", "mysql_99ff", ""),
                bearer(viewer));
             SseClient wrongOwner = SseClient.open(fixture.tailUri(consumer, "orga_pg", "mysql_99ff", ""),
                     bearer(viewer))) {
            assertEquals(403, otherOwners.status);
            assertEquals(404, wrongOwner.status, "a real id under an owner it does not belong to");
        }
    }

    @Test
    void theCliSignsInThroughThePlatformAndItsAnswerIsCachedBriefly() throws Exception {
        platform.knows(CLI_HEADER, ADA);
        int asked = platform.received.size();
        JsonObject summary = summaryOk(Map.of("Authorization", CLI_HEADER));
        assertEquals("user_ada", summary.getJsonObject("user").getString("id"));
        assertEquals(owner("orga_pg", "Postgres Inc", addon("addon_pg", "postgresql_0b4f1c2e", "orders-db")),
                summary.getJsonArray("organisations").getJsonObject(0));
        assertEquals(List.of(CLI_HEADER), platform.received.subList(asked, platform.received.size()),
                "the header went to the platform verbatim");

        try (SseClient tail = SseClient.open(fixture.tailUri(consumer, "orga_pg", "postgresql_0b4f1c2e", ""),
                Map.of("Authorization", CLI_HEADER))) {
            assertEquals(200, tail.status, tail.errorBody);
            fixture.post(PG_TOKEN, List.of("via the platform's sign-in"));
            assertEquals("via the platform's sign-in",
                    new JsonObject(tail.next(1, 10_000).get(0).data()).getString("message"));
        }
        assertEquals(asked + 1, platform.received.size(), "the second call was answered from the cache");
    }

    @Test
    void refusalsAreNotCachedAndTheCacheIsBounded() throws Exception {
        String stranger = "Bearer not-a-platform-token";
        int asked = platform.received.size();
        assertEquals(401, summary(Map.of("Authorization", stranger)).statusCode());
        assertEquals(401, summary(Map.of("Authorization", stranger)).statusCode());
        assertEquals(asked + 2, platform.received.size(), "a refusal is asked again");

        // VIEWER_AUTH_CACHE_ENTRIES=2: three identities push the first one out
        for (int i = 0; i < 3; i++) {
            platform.knows("Bearer bounded-" + i, ADA);
            summaryOk(Map.of("Authorization", "Bearer bounded-" + i));
        }
        int before = platform.received.size();
        summaryOk(Map.of("Authorization", "Bearer bounded-2"));
        assertEquals(before, platform.received.size(), "the newest is cached");
        summaryOk(Map.of("Authorization", "Bearer bounded-0"));
        assertEquals(before + 1, platform.received.size(), "the oldest was evicted");
    }

    @Test
    void ourOwnJwtDecidesAloneEvenWhenExpired() throws Exception {
        int asked = platform.received.size();
        String expired = jwt("user_ada", List.of("orga_pg"), List.of(), Instant.now().minusSeconds(5));
        HttpResponse<String> response = summary(bearer(expired));
        assertEquals(401, response.statusCode());
        assertTrue(response.body().toLowerCase(java.util.Locale.ROOT).contains("expired"), response.body());
        assertEquals(asked, platform.received.size(), "never sent to the platform");
    }

    @Test
    void aSignInThatFailsOrIsDownFailsClosedWith503AndTheHeaderIsNeverLogged() throws Exception {
        String header = "Bearer platform-secret-" + System.nanoTime();
        platform.knows(header, ADA);
        List<HttpResponse<String>> answers = new ArrayList<>();
        List<ILoggingEvent> logs;
        try (CapturedLogs captured = CapturedLogs.start(Level.WARN)) {
            logs = captured.events();
            platform.failWith(500);
            answers.add(summary(Map.of("Authorization", header)));
            platform.failWith(0);
            String gone;
            try (PlatformSignInStandIn down = new PlatformSignInStandIn()) {
                gone = down.url();
            }
            TailService other = fixture.startConsumerWith(Map.of("VIEWER_AUTH_URL", gone));
            answers.add(fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/v2/summary")).header("Authorization", header).build(), HttpResponse.BodyHandlers.ofString()));
            fixture.stopConsumer(other);
        } finally {
            platform.failWith(0);
        }
        for (HttpResponse<String> answer : answers) {
            assertEquals(503, answer.statusCode(), answer.body());
            assertEquals("auth_unavailable", new JsonObject(answer.body()).getString("code"));
            assertNotNull(answer.headers().firstValue("Retry-After").orElse(null));
        }
        assertTrue(logs.stream().anyMatch(e -> e.getFormattedMessage().contains("sign-in")), "failures are logged");
        for (ILoggingEvent event : logs) {
            assertFalse(event.getFormattedMessage().contains("platform-secret-"), event.getFormattedMessage());
        }
        // and once the platform answers again, so does the consumer (the failure was not cached)
        assertEquals("user_ada", summaryOk(Map.of("Authorization", header)).getJsonObject("user").getString("id"));
    }
}
