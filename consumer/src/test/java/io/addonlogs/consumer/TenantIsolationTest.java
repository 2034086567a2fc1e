package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * One tenant cannot stall another: tails that replay a long history and never read hold no thread, so another
 * tenant's history and resume are served at once.
 */
class TenantIsolationTest {

    static final int ATTACKING_TAILS = 100;

    @Test
    void nonReadingHistoryTailsOfOneTenantDoNotDelayAnothersResume() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of("SSE_VIEWER_QUEUE_BYTES", "65536",
                "CONSUMER_MAX_TAILS_PER_VIEWER", String.valueOf(ATTACKING_TAILS)))) {
            TailService consumer = fixture.consumers.get(0);
            String tokenA = "lt_isolation_a_0000000000000000000000";
            String tokenB = "lt_isolation_b_0000000000000000000000";
            fixture.register(tokenA, "addon_noisy", "orga_noisy");
            fixture.register(tokenB, "addon_quiet", "orga_quiet");
            Instant before = Instant.now().minusSeconds(1);
            String pad = "x".repeat(1000);
            for (int batch = 0; batch < 40; batch++) { // about 4 MB of history for the noisy tenant
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    lines.add(batch + "." + i + " " + pad);
                }
                fixture.post(tokenA, lines);
            }
            String since = URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
            String viewerA = viewerOf("orga_noisy");
            List<Socket> attack = new ArrayList<>();
            try {
                for (int i = 0; i < ATTACKING_TAILS; i++) {
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(4096);
                    socket.connect(new InetSocketAddress("127.0.0.1", consumer.port()));
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET /v4/logs/organisations/orga_noisy/resources/addon_noisy/logs?since=" + since
                            + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + viewerA
                            + "\r\nAccept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    attack.add(socket); // never read
                }
                Await.until(() -> consumer.metrics().viewers() == ATTACKING_TAILS, "every attacking tail open");
                // each attacking tail reads history until its socket and write queue are full, then waits: the
                // quiet tenant comes while they are still filling them
                Await.until(() -> consumer.history().replays() == ATTACKING_TAILS, "every attacking replay started");

                fixture.post(tokenB, List.of("quiet 1", "quiet 2"));
                long start = System.nanoTime();
                try (SseClient quiet = SseClient.open(fixture.tailUri(consumer, "orga_quiet", "addon_quiet",
                        "since=" + since), bearer(viewerOf("orga_quiet")))) {
                    assertEquals(200, quiet.status, quiet.errorBody);
                    List<SseClient.Event> events = quiet.next(2, 20_000);
                    long firstMillis = (events.get(0).receivedAtNanos() - start) / 1_000_000;
                    assertEquals(2, events.size());
                    // a liveness bound, not a performance target: before the fix this took the 60 s a blocked
                    // replay holds its worker (docs/BENCHMARKS.md has the measured figure)
                    assertTrue(firstMillis < 5_000, "the quiet tenant's first line took " + firstMillis + " ms");
                    String cursor = events.get(0).id();
                    try (SseClient resumed = SseClient.open(fixture.tailUri(consumer, "orga_quiet", "addon_quiet", ""),
                            Map.of("Authorization", "Bearer " + viewerOf("orga_quiet"), "Last-Event-ID", cursor))) {
                        SseClient.Event next = resumed.next(10_000);
                        assertNotNull(next);
                        assertTrue(next.data().contains("quiet 2"), next.data());
                    }
                    System.out.printf("tenant isolation: with %d non-reading history tails of another tenant open, the "
                            + "quiet tenant's first line came in %d ms%n", ATTACKING_TAILS, firstMillis);
                }
            } finally {
                for (Socket socket : attack) {
                    socket.close();
                }
            }
        }
    }
}
