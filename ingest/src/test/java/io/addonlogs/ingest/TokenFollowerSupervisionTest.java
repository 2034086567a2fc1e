package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.management.ManagementServer;
import io.vertx.core.json.JsonObject;

/**
 * The ingest's token registry follower under its supervisor (issue 17): after a transient error it restarts and
 * catches up, and tokens provisioned and revoked through it work; after a fatal one the instance is not live.
 */
class TokenFollowerSupervisionTest {

    @Test
    void restartsAfterATransientErrorAndReportsNotLiveAfterAFatalOne() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of())) {
            SupervisedLoop<?> follower = ingest.service.loops().get(0);
            assertEquals("token-registry-follower", follower.name());

            follower.injectFailure(new DisconnectException("injected by the test"));
            // not ready while restarting: ManagementServerTest (a back-off long enough to look at it)
            Await.until(() -> follower.status().restarts() == 1, "the follower restarting");
            awaitStatus(ingest, ManagementServer.READY_PATH, 200);
            assertTrue(follower.ready(), "ready again: restarted and caught up");
            String token = ingest.provision("addon_supervised", "orga_supervised"); // waits for the follower
            assertEquals(204, ingest.send(ingest.post(token).POST(HttpRequest.BodyPublishers.ofString(
                    Frames.frame(Frames.line(token, "after the restart")))).build()).statusCode());
            HttpResponse<String> revoked = ingest.send(HttpRequest.newBuilder(ingest.adminUri("/admin/tokens/" + token))
                    .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).DELETE().build());
            assertEquals(204, revoked.statusCode(), "answered once the restarted follower applied the tombstone");
            assertEquals(401, ingest.send(ingest.post(token).POST(HttpRequest.BodyPublishers.ofString(
                    Frames.frame(Frames.line(token, "revoked")))).build()).statusCode());

            assertEquals(200, get(ingest, ManagementServer.LIVE_PATH).statusCode());
            follower.injectFailure(new SaslAuthenticationException("injected by the test"));
            awaitStatus(ingest, ManagementServer.LIVE_PATH, 503);
            JsonObject live = new JsonObject(get(ingest, ManagementServer.LIVE_PATH).body());
            assertEquals("DOWN", live.getJsonObject("checks").getString("token-registry-follower"));
            String state = live.getJsonObject("loops").getString("token-registry-follower");
            assertTrue(state.startsWith("FAILED since ") && state.contains("SaslAuthenticationException"), state);
        }
    }

    private static void awaitStatus(IngestFixture ingest, String path, int status) {
        Await.until(() -> get(ingest, path).statusCode() == status, path + " answering " + status);
    }

    private static HttpResponse<String> get(IngestFixture ingest, String path) {
        try {
            return ingest.send(HttpRequest.newBuilder(ingest.adminUri(path)).timeout(Duration.ofSeconds(5)).build());
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
