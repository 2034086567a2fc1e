package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.messages;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.management.ManagementServer;
import io.vertx.core.json.JsonObject;

/**
 * The consumer's background loops fail and come back (issue 17): after a transient error a loop restarts and catches
 * up, a tail gets the lines posted meanwhile and a revocation applies; a fatal error makes the instance not live.
 */
class SupervisedLoopsTest {

    static TailFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void aLiveTailGetsEveryLineOnceAcrossARestartOfTheLiveReader() throws Exception {
        String token = "lt_supervised_live_000000000000000000";
        fixture.register(token, "addon_sup_live", "orga_sup");
        TailService consumer = fixture.consumers.get(0);
        try (SseClient sse = SseClient.open(fixture.tailUri(consumer, "orga_sup", "addon_sup_live", ""),
                bearer(viewerOf("orga_sup")))) {
            assertEquals(200, sse.status, sse.errorBody);
            fixture.post(token, List.of("before"));
            assertEquals(List.of("before"), messages(sse.next(1, 10_000)));

            SupervisedLoop<?> live = loop(consumer, "live-reader");
            live.injectFailure(new DisconnectException("injected by the test"));
            // not ready while restarting: service-support's ManagementServerTest (a back-off long enough to look)
            Await.until(() -> live.status().restarts() == 1, "the live reader restarting");
            fixture.post(token, List.of("during"));
            awaitStatus(consumer, ManagementServer.READY_PATH, 200);
            assertTrue(live.ready(), "ready again: restarted and positioned");
            fixture.post(token, List.of("after"));

            assertEquals(List.of("during", "after"), messages(sse.next(2, 15_000)));
            assertNull(sse.next(300), "nothing twice");
        }
    }

    @Test
    void aRevocationAppliesAfterARestartOfTheTokenFollower() throws Exception {
        String token = "lt_supervised_tokens_00000000000000000";
        fixture.register(token, "addon_sup_rev", "orga_sup");
        TailService consumer = fixture.consumers.get(0);
        assertEquals(200, fixture.tailStatus(consumer, "orga_sup", "addon_sup_rev"));

        SupervisedLoop<?> follower = loop(consumer, "token-registry-follower");
        follower.injectFailure(new DisconnectException("injected by the test"));
        Await.until(() -> follower.status().restarts() == 1, "the follower restarting");
        awaitStatus(consumer, ManagementServer.READY_PATH, 200);
        assertTrue(follower.ready(), "ready again: restarted and caught up");

        HttpResponse<String> revoked = fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + fixture.ingest.managementPort() + "/admin/tokens/" + token))
                .header("Authorization", "Bearer " + TailFixture.ADMIN_TOKEN).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, revoked.statusCode(), revoked.body());
        Await.until(() -> consumer.tokens().lookup(token).isEmpty(), "revocation applied on the consumer");
        assertEquals(404, fixture.tailStatus(consumer, "orga_sup", "addon_sup_rev"), "the add-on is no longer served");
    }

    @Test
    void aFatalErrorInTheLiveReaderMakesTheInstanceNotLive() throws Exception {
        TailService doomed = fixture.startConsumer();
        try {
            assertEquals(200, get(doomed, ManagementServer.LIVE_PATH).statusCode());
            loop(doomed, "live-reader").injectFailure(new TopicAuthorizationException("injected by the test"));
            awaitStatus(doomed, ManagementServer.LIVE_PATH, 503);
            JsonObject body = new JsonObject(get(doomed, ManagementServer.LIVE_PATH).body());
            assertEquals("DOWN", body.getJsonObject("checks").getString("live-reader"));
            assertEquals("UP", body.getJsonObject("checks").getString("token-registry-follower"));
            String state = body.getJsonObject("loops").getString("live-reader");
            assertTrue(state.startsWith("FAILED since ") && state.contains("TopicAuthorizationException"), state);
            assertEquals(503, get(doomed, ManagementServer.READY_PATH).statusCode());
        } finally {
            fixture.stopConsumer(doomed);
        }
    }

    private static SupervisedLoop<?> loop(TailService consumer, String name) {
        return consumer.loops().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    /** Polls the management endpoint until it answers {@code status} (30 s at most). */
    private static void awaitStatus(TailService consumer, String path, int status) {
        Await.until(() -> get(consumer, path).statusCode() == status, path + " answering " + status);
    }

    private static HttpResponse<String> get(TailService consumer, String path) {
        try {
            return fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.managementPort()
                    + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
