package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * One provider floods its token while another sends a trickle: the flood gets 429 with Retry-After and is held to
 * its rate; the trickle is never refused. Counts go to the test output.
 */
class RateLimitTest {

    private static final int LINES_PER_SECOND = 2_000;

    @Test
    void aNoisyTokenIsHeldToItsRateAndDoesNotStarveAQuietOne() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of(
                "INGEST_TOKEN_LINES_PER_SECOND", String.valueOf(LINES_PER_SECOND),
                "INGEST_TOKEN_BURST_SECONDS", "1"))) {
            String noisy = ingest.provision("addon_noisy", "orga_rl");
            String quiet = ingest.provision("addon_quiet", "orga_rl");
            String flood = Frames.body(IntStream.range(0, 500).mapToObj(i -> Frames.line(noisy, "flood " + i)).toList());

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong noisyAccepted = new AtomicLong();
            AtomicInteger limited = new AtomicInteger();
            List<String> retryAfters = new ArrayList<>();
            Thread flooder = new Thread(() -> {
                while (running.get()) {
                    try {
                        HttpResponse<String> r = ingest.send(ingest.post(noisy)
                                .POST(HttpRequest.BodyPublishers.ofString(flood)).build());
                        if (r.statusCode() == 204) {
                            noisyAccepted.addAndGet(500);
                        } else {
                            assertEquals(429, r.statusCode(), r.body());
                            assertEquals("rate_limited", new JsonObject(r.body()).getString("code"));
                            synchronized (retryAfters) {
                                retryAfters.add(r.headers().firstValue("Retry-After").orElse("missing"));
                            }
                            limited.incrementAndGet();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            long start = System.nanoTime();
            flooder.start();
            int quietOk = 0;
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> r = ingest.send(ingest.post(quiet).POST(HttpRequest.BodyPublishers.ofString(
                        Frames.body(List.of(Frames.line(quiet, "quiet " + i))))).build());
                assertEquals(204, r.statusCode(), "the quiet provider is never limited: " + r.body());
                quietOk++;
                Thread.sleep(100);
            }
            running.set(false);
            flooder.join();
            double seconds = (System.nanoTime() - start) / 1e9;

            System.out.printf("rate limit: noisy accepted %d lines in %.1f s (%.0f lines/s, limit %d), %d POSTs "
                    + "answered 429 (Retry-After %s); quiet %d of 30 accepted%n", noisyAccepted.get(), seconds,
                    noisyAccepted.get() / seconds, LINES_PER_SECOND, limited.get(),
                    retryAfters.stream().distinct().toList(), quietOk);
            assertTrue(limited.get() > 0, "the flood was limited");
            assertTrue(retryAfters.stream().allMatch(v -> v.equals("1")), "Retry-After in seconds: " + retryAfters);
            // burst (1 s) + rate x time + one admitted request's debt
            assertTrue(noisyAccepted.get() <= LINES_PER_SECOND * (seconds + 1) + 500,
                    noisyAccepted.get() + " lines in " + seconds + " s");
            assertEquals(30, ingest.recordsFor(quiet).size());
            assertEquals(noisyAccepted.get(), ingest.recordsFor(noisy).size(), "every 204'd line is stored");
        }
    }
}
