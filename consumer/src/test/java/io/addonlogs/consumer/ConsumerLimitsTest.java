package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
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

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * Every resource a viewer can hold is bounded with a clear answer: tails per viewer (429), replays per instance
 * (503), a cursor past the end (400), credentials that expire mid-stream (END_OF_STREAM), headers that never end
 * (closed), and no h2c upgrade on either port.
 */
class ConsumerLimitsTest {

    static final String TOKEN = "lt_limits_token_000000000000000000000";
    static TailFixture fixture;
    static TailService consumer;

    @BeforeAll
    static void start() throws Exception {
        fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of("CONSUMER_MAX_TAILS_PER_VIEWER", "2",
                "CONSUMER_MAX_REPLAYS", "1", "CONSUMER_HEADER_TIMEOUT_SECONDS", "1", "SSE_SEND_BUFFER_BYTES", "16384",
                "SSE_VIEWER_QUEUE_BYTES", "16384"));
        consumer = fixture.consumers.get(0);
        fixture.register(TOKEN, "addon_limits", "orga_limits");
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static SseClient tail(String query, Map<String, String> headers) throws Exception {
        return SseClient.open(fixture.tailUri(consumer, "orga_limits", "addon_limits", query), headers);
    }

    private static String jwt(JWTClaimsSet.Builder claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.claim("owners", List.of("orga_limits"))
                .build());
        jwt.sign(new MACSigner(TailFixture.SECRET.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    @Test
    void aViewerHasAtMostItsShareOfTails() throws Exception {
        String viewer = jwt(new JWTClaimsSet.Builder().subject("user_many_tabs")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))));
        try (SseClient one = tail("", bearer(viewer)); SseClient two = tail("", bearer(viewer))) {
            assertEquals(200, one.status);
            assertEquals(200, two.status);
            try (SseClient three = tail("", bearer(viewer))) {
                assertEquals(429, three.status);
                assertEquals("too_many_tails", new JsonObject(three.errorBody).getString("code"));
            }
            try (SseClient someoneElse = tail("", bearer(viewerOf("orga_limits")))) {
                assertEquals(200, someoneElse.status, "another viewer is not affected");
            }
        }
        Await.until(() -> consumer.metrics().viewers() == 0, "tails closed");
        try (SseClient again = tail("", bearer(viewer))) {
            assertEquals(200, again.status, "closing a tail gives its place back");
        }
    }

    @Test
    void replaysPerInstanceAreBoundedAndLiveTailsStillServed() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        // 2 MB: more than one replay step takes (256 KiB of lines, however well they compress), so the replay waits on
        // the viewer that does not read, holding its slot
        String pad = "r".repeat(1000);
        List<String> history = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            history.add(i + " " + pad);
        }
        fixture.post(TOKEN, history);
        String since = "since=" + URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
        // the other tests' tails of the same viewer must be gone, or the stalled one is refused (429), not replayed
        Await.until(() -> consumer.metrics().viewers() == 0, "the other tests' tails closed");
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", consumer.port()));
            stalled.getOutputStream().write(("GET /v4/logs/organisations/orga_limits/resources/addon_limits/logs?"
                    + since + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + viewerOf("orga_limits")
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Await.until(() -> consumer.history().replays() == 1, "the stalled replay holds the only slot");
            try (SseClient second = tail(since, bearer(viewerOf("orga_limits")))) {
                assertEquals(503, second.status);
                assertEquals("history_busy", new JsonObject(second.errorBody).getString("code"));
            }
            try (SseClient live = tail("", bearer(viewerOf("orga_limits")))) {
                assertEquals(200, live.status, "a live tail needs no replay slot");
            }
        }
        Await.until(() -> consumer.history().replays() == 0, "the slot is given back when its viewer leaves");
    }

    @Test
    void aCursorPastTheEndIs400() throws Exception {
        try (SseClient beyond = tail("", Map.of("Authorization", "Bearer " + viewerOf("orga_limits"),
                "Last-Event-ID", "0:999999999,1:999999999,2:999999999"))) {
            assertEquals(400, beyond.status);
            assertTrue(beyond.errorBody.contains("past the end"), beyond.errorBody);
        }
    }

    @Test
    void aStreamEndsWhenItsCredentialsExpire() throws Exception {
        String shortLived = jwt(new JWTClaimsSet.Builder().subject("user_short")
                .expirationTime(Date.from(Instant.now().plusSeconds(3))));
        try (SseClient sse = tail("", bearer(shortLived))) {
            assertEquals(200, sse.status);
            fixture.post(TOKEN, List.of("before expiry"));
            SseClient.Event first = sse.next(5_000);
            assertNotNull(first);
            assertTrue(first.data().contains("before expiry"), first.data());
            SseClient.Event end = sse.next(10_000);
            assertNotNull(end, "the stream ended");
            assertEquals("END_OF_STREAM", end.event());
            assertEquals("{\"endedBy\":\"TOKEN_EXPIRED\"}", end.data());
            Await.until(sse::ended, "closed after END_OF_STREAM");
        }
        String notYet = jwt(new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .notBeforeTime(Date.from(Instant.now().plusSeconds(300))));
        String fromTheFuture = jwt(new JWTClaimsSet.Builder().expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .issueTime(Date.from(Instant.now().plusSeconds(300))));
        for (String refused : List.of(notYet, fromTheFuture)) {
            try (SseClient sse = tail("", bearer(refused))) {
                assertEquals(401, sse.status, sse.errorBody);
            }
        }
    }

    @Test
    void headersThatNeverEndAreCutOnBothPortsAndH2cIsNotOffered() throws Exception {
        try (Socket publicPort = trickle(consumer.port()); Socket management = trickle(consumer.managementPort())) {
            long start = System.nanoTime();
            assertTrue(closedWithin(publicPort, 10_000), "the public port closed the trickler");
            assertTrue(closedWithin(management, 20_000), "the management port closed the trickler");
            System.out.printf("header deadline: both trickling connections closed after %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
        }
        for (int port : List.of(consumer.port(), consumer.managementPort())) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.getOutputStream().write(("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
                        + "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                socket.setSoTimeout(10_000);
                String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertTrue(status.startsWith("HTTP/1.1 "), status);
                assertFalse(status.contains("101"), "no switch to h2c on port " + port + ": " + status);
            }
        }
    }

    /** A connection that sends the start of a request's headers and then nothing. */
    private static Socket trickle(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        OutputStream out = socket.getOutputStream();
        out.write("GET /health/live HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static boolean closedWithin(Socket socket, int millis) throws IOException {
        socket.setSoTimeout(millis);
        InputStream in = socket.getInputStream();
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }
}
