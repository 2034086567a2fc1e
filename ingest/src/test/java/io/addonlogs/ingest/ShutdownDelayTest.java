package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static io.addonlogs.ingest.IngestFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.Future;

/**
 * After SIGTERM (here: stop) the instance turns unready at once and serves on for INGEST_SHUTDOWN_DELAY_MS, each
 * answer with {@code Connection: close} and its connection closed after it, so that a load balancer, which takes
 * the instance out within its health-check interval, never sends a request on an idle kept-alive connection the
 * instance is closing at that very moment (the request would then get no answer at all).
 */
class ShutdownDelayTest {

    @Test
    void servesUnreadyDuringTheDelayClosingEachConnectionAfterItsAnswer() throws Exception {
        IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_SHUTDOWN_DELAY_MS", "3000",
                "INGEST_EVENT_LOOPS", "1"));
        String token = ingest.provision("addon_shutdown_delay", "orga_1");
        try (Socket keptAlive = new Socket("127.0.0.1", ingest.service.port())) {
            keptAlive.setSoTimeout(2_000);
            String before = exchange(keptAlive, token, "before stop");
            assertTrue(before.startsWith("HTTP/1.1 204"), before);
            assertFalse(closeHeader(before), before);

            long stopAt = System.nanoTime();
            Future<Void> stopping = ingest.service.stop();
            assertFalse(ingest.service.ready(), "unready at once");
            HttpResponse<String> readiness = ingest.http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + ingest.service.managementPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, readiness.statusCode(), readiness.body());

            String during = exchange(keptAlive, token, "during the delay, kept-alive connection");
            assertTrue(during.startsWith("HTTP/1.1 204"), during);
            assertTrue(closeHeader(during), "answered with Connection: close: " + during);
            assertTrue(closedByServer(keptAlive), "the connection is closed after that answer");

            HttpResponse<String> fresh = ingest.send(ingest.post(token).POST(HttpRequest.BodyPublishers.ofString(
                    body(List.of(line(token, "during the delay, new connection"))))).build());
            assertEquals(204, fresh.statusCode(), "a new connection is still served during the delay");
            assertEquals("close", fresh.headers().firstValue("Connection").orElse(""));
            assertFalse(stopping.isComplete(), "still serving");

            stopping.await();
            long stoppedAfterMs = (System.nanoTime() - stopAt) / 1_000_000;
            assertTrue(stoppedAfterMs >= 3000, "stopped after the delay, not before: " + stoppedAfterMs + " ms");
        }
        assertEquals(List.of(line(token, "before stop"), line(token, "during the delay, kept-alive connection"),
                line(token, "during the delay, new connection")), values(ingest.recordsFor(token)));
        assertThrows(IOException.class, () -> ingest.send(ingest.post(token)
                .POST(HttpRequest.BodyPublishers.ofString(body(List.of(line(token, "refused"))))).build()));
        ingest.runtime.vertx().close().await();
    }

    /** One POST of one line on the given connection; returns the answer's head (a 204 has no body). */
    private static String exchange(Socket socket, String token, String message) throws IOException {
        byte[] frames = body(List.of(line(token, message))).getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST /logs HTTP/1.1\r\nHost: localhost\r\nAuthorization: "
                + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\nContent-Length: "
                + frames.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(frames);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before a whole answer: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static boolean closeHeader(String head) {
        return head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n");
    }

    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        }
    }
}
