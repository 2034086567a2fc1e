package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * Slowloris: 500 clients trickle their headers and 500 trickle their bodies, a byte every 500 ms (never idle long
 * enough for the idle timeout). Header tricklers are cut at the header deadline, body tricklers get 408 at the
 * body deadline with the frames they completed stored; a normal provider is served throughout. The idle timeout
 * is set far beyond the test, so that only the deadlines can close anything, and the per-token cap on requests in
 * progress (which would answer most of these tricklers 429 at once: HeldResourcesTest) far beyond 500.
 */
class SlowClientsTest {

    private static final int EACH = 500;

    @Test
    void tricklersAreCutOffAndOtherProvidersAreServed() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_HEADER_TIMEOUT_SECONDS", "2",
                "INGEST_BODY_TIMEOUT_SECONDS", "3", "INGEST_IDLE_TIMEOUT_SECONDS", "120", "INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0", "INGEST_MAX_REQUESTS_PER_TOKEN", "10000"))) {
            String token = ingest.provision("addon_slow", "orga_slow");
            int port = ingest.service.port();
            String complete = Frames.frame(Frames.line(token, "completed before trickling"));
            List<Socket> headerTricklers = new ArrayList<>();
            List<Socket> bodyTricklers = new ArrayList<>();
            for (int i = 0; i < EACH; i++) {
                Socket h = new Socket("127.0.0.1", port);
                h.getOutputStream().write("POST /logs HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                headerTricklers.add(h);
                Socket b = new Socket("127.0.0.1", port);
                b.getOutputStream().write(("POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: " + IngestFixture.basic(token)
                        + "\r\nContent-Type: application/logplex-1\r\nContent-Length: 100000\r\n\r\n" + complete + "5000 ")
                        .getBytes(StandardCharsets.US_ASCII));
                bodyTricklers.add(b);
            }
            AtomicBoolean trickling = new AtomicBoolean(true);
            Thread trickle = new Thread(() -> {
                while (trickling.get()) {
                    for (Socket s : concat(headerTricklers, bodyTricklers)) {
                        try {
                            s.getOutputStream().write('a');
                        } catch (IOException closed) {
                            // cut off by the server: what this test wants
                        }
                    }
                    sleep(500);
                }
            }, "trickle");
            trickle.start();

            long start = System.nanoTime();
            long slowest = 0;
            int served = 0;
            while (System.nanoTime() - start < 5_000_000_000L) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = ingest.send(ingest.post(token).POST(HttpRequest.BodyPublishers.ofString(
                        Frames.body(List.of(Frames.line(token, "normal " + served))))).build());
                assertEquals(204, r.statusCode(), r.body());
                slowest = Math.max(slowest, System.nanoTime() - t0);
                served++;
                sleep(100);
            }
            trickling.set(false);
            trickle.join();

            int headerClosed = 0;
            for (Socket s : headerTricklers) {
                if (!closedByServer(s)) {
                    break; // one still open is enough to fail; do not wait on the others
                }
                headerClosed++;
            }
            int got408 = 0;
            for (Socket s : bodyTricklers) {
                String answer = readAll(s);
                if (answer.startsWith("HTTP/1.1 408") && answer.contains("\"code\":\"body_timeout\"")
                        && answer.contains("\"accepted\":1")) {
                    got408++;
                }
            }
            Runtime rt = Runtime.getRuntime();
            System.out.printf("slow clients: %d of %d header tricklers closed, %d of %d body tricklers answered 408; "
                    + "normal provider: %d POSTs all 204, slowest %d ms; heap in use %d MB%n", headerClosed, EACH,
                    got408, EACH, served, slowest / 1_000_000, (rt.totalMemory() - rt.freeMemory()) >> 20);
            assertEquals(EACH, headerClosed, "header tricklers cut off");
            assertEquals(EACH, got408, "body tricklers answered 408");
            assertTrue(served >= 10, served + " normal POSTs");
            assertEquals(EACH + served, ingest.recordsFor(token).size(),
                    "each trickler's completed frame and every normal line are stored");
        }
    }

    private static boolean closedByServer(Socket s) throws IOException {
        s.setSoTimeout(5000);
        try (InputStream in = s.getInputStream()) {
            while (in.read() != -1) {
                // a response to the half-sent request would be drained here; the server should just close
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            s.close();
        }
    }

    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(5000);
        try (InputStream in = s.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "error: " + e;
        } finally {
            s.close();
        }
    }

    private static List<Socket> concat(List<Socket> a, List<Socket> b) {
        List<Socket> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
