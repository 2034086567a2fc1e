package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static io.addonlogs.consumer.TailFixture.viewerToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/** Viewer auth (401/403/404), isolation between owners on a shared partition, and slow viewers. */
class ViewerAccessTest {

    static final int PARTITIONS = 3;
    static TailFixture fixture;
    static String tokenA;
    static String tokenB;

    @BeforeAll
    static void start() throws Exception {
        fixture = new TailFixture(TestKafka.shared(), PARTITIONS, 1, Map.of("SSE_VIEWER_QUEUE_BYTES", "65536"));
        // two owners whose tokens land on the same partition
        tokenA = "lt_owner_a_000000000000000000000000000";
        int partition = BuiltInPartitioner.partitionForKey(tokenA.getBytes(StandardCharsets.UTF_8), PARTITIONS);
        int i = 0;
        do {
            tokenB = "lt_owner_b_" + (i++) + "_0000000000000000000000";
        } while (BuiltInPartitioner.partitionForKey(tokenB.getBytes(StandardCharsets.UTF_8), PARTITIONS) != partition);
        fixture.register(tokenA, "addon_a", "orga_a");
        fixture.register(tokenB, "addon_b", "orga_b");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private SseClient open(String owner, String addon, String query, Map<String, String> headers) throws Exception {
        return SseClient.open(fixture.tailUri(fixture.consumers.get(0), owner, addon, query), headers);
    }

    private static void assertError(SseClient sse, int status, String code) {
        assertEquals(status, sse.status, sse.errorBody);
        assertTrue(sse.contentType.startsWith("application/json"));
        assertEquals(code, new JsonObject(sse.errorBody).getString("code"));
    }

    @Test
    void missingExpiredOrBadlySignedTokensAre401() throws Exception {
        assertError(open("orga_a", "addon_a", "", Map.of()), 401, "unauthorized");
        String expired = viewerToken(List.of("orga_a"), List.of(), Instant.now().minusSeconds(5), TailFixture.SECRET);
        assertError(open("orga_a", "addon_a", "", bearer(expired)), 401, "unauthorized");
        String forged = viewerToken(List.of("orga_a"), List.of(), Instant.now().plusSeconds(60),
                "another-secret-that-is-also-32-bytes-long");
        assertError(open("orga_a", "addon_a", "", bearer(forged)), 401, "unauthorized");
        assertError(open("orga_a", "addon_a", "", bearer("not.a.jwt")), 401, "unauthorized");
    }

    @Test
    void otherOwnersAddonIs403AndUnknownAddonIs404() throws Exception {
        String viewerA = viewerOf("orga_a");
        assertError(open("orga_b", "addon_b", "", bearer(viewerA)), 403, "forbidden");
        // an add-on of another owner, asked for under the viewer's own owner id: it is not theirs
        assertError(open("orga_a", "addon_b", "", bearer(viewerA)), 404, "not_found");
        assertError(open("orga_a", "addon_nope", "", bearer(viewerA)), 404, "not_found");
        String onlyAddon = viewerToken(List.of(), List.of("addon_a"), Instant.now().plusSeconds(60), TailFixture.SECRET);
        try (SseClient ok = open("orga_a", "addon_a", "", bearer(onlyAddon))) {
            assertEquals(200, ok.status, "an addons claim is enough");
        }
    }

    @Test
    void tokenInTheQueryIsRefusedEvenWithAGoodHeaderAndTheOAuthHeaderIsAccepted() throws Exception {
        String viewer = viewerOf("orga_a");
        // proxies and access logs keep query strings: a token there is refused, so no client comes to rely on it
        for (String name : List.of("access_token", "token")) {
            SseClient alone = open("orga_a", "addon_a", name + "=" + viewer, Map.of());
            assertError(alone, 401, "unauthorized");
            assertTrue(new JsonObject(alone.errorBody).getString("error").contains("URL query (" + name + ")"),
                    alone.errorBody);
            assertError(open("orga_a", "addon_a", name + "=" + viewer, bearer(viewer)), 401, "unauthorized");
        }
        try (SseClient oauth = open("orga_a", "addon_a", "", Map.of("Authorization",
                "OAuth oauth_consumer_key=\"k\", oauth_token=\"" + viewer + "\", oauth_signature_method=\"PLAINTEXT\""))) {
            assertEquals(200, oauth.status);
        }
    }

    @Test
    void viewersNeverSeeAnotherOwnersLinesOnASharedPartition() throws Exception {
        try (SseClient a = open("orga_a", "addon_a", "", bearer(viewerOf("orga_a")));
             SseClient b = open("orga_b", "addon_b", "", bearer(viewerOf("orga_b")))) {
            fixture.post(tokenB, List.of("b secret 1", "b secret 2"));
            fixture.post(tokenA, List.of("a line"));
            fixture.post(tokenB, List.of("b secret 3"));
            List<SseClient.Event> aEvents = a.next(1, 10_000);
            assertEquals("a line", LogEventJson.fromJson(aEvents.get(0).data()).message());
            assertEquals(3, b.next(3, 10_000).size());
            assertEquals(null, a.next(1_000), "nothing else reaches A");
            assertFalse(a.allText().contains("secret"));
            assertFalse(a.allText().contains(tokenA) || a.allText().contains(tokenB));
        }
    }

    @Test
    void aStalledViewerIsDroppedWhileAnotherKeepsUp() throws Exception {
        String viewer = viewerOf("orga_a");
        double droppedBefore = fixture.consumers.get(0).metrics().droppedSlowCount();
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new java.net.InetSocketAddress("127.0.0.1", fixture.consumers.get(0).port()));
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /v4/logs/organisations/orga_a/resources/addon_a/logs HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + viewer + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // never read from the stalled socket
            try (SseClient healthy = open("orga_a", "addon_a", "", bearer(viewer))) {
                Await.until(() -> fixture.consumers.get(0).metrics().viewers() == 2, "both viewers connected");
                String big = "x".repeat(1000);
                List<String> expected = new ArrayList<>();
                for (int batch = 0; batch < 250; batch++) { // ~12 MB: more than loopback socket buffers hold
                    List<String> lines = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        lines.add(batch + "." + i + " " + big);
                    }
                    fixture.post(tokenA, lines);
                    expected.addAll(lines);
                }
                List<SseClient.Event> got = healthy.next(expected.size(), 60_000);
                assertEquals(expected.size(), got.size(), "the healthy viewer got every line");
                Await.until(() -> fixture.consumers.get(0).metrics().droppedSlowCount() > droppedBefore,
                        "the stalled viewer was dropped");
                InputStream in = stalled.getInputStream();
                stalled.setSoTimeout(10_000);
                long read = 0;
                byte[] buf = new byte[65536];
                for (int n; (n = in.read(buf)) > 0; ) {
                    read += n; // drain what was buffered: the stream must end, not go on
                }
                assertNotEquals(expected.size() * 1000L, read, "the stalled viewer did not get everything");
            }
        }
    }
}
