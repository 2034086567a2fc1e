package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.MultiBrokerKafka;

/**
 * Three brokers, topics with RF 3 and min.insync.replicas 2, providers POSTing all along (and resending on 503):
 * with one broker down every request is still served; with two down no request started then is answered 2xx;
 * once they are back ingest recovers by itself. Every line of every 2xx is in Kafka; duplicates come only from
 * resent 503s. The counts are printed (docs/reliability.md quotes them).
 */
class BrokerFaultsTest {

    enum Phase { ALL_UP, ONE_DOWN, TWO_DOWN, RESTARTING, RECOVERED }

    private static final int PROVIDERS = 3;
    /** {@code -Dreliability.scale=N} makes every phase N times longer (the long variant, docs/reliability.md). */
    private static final long SCALE = Long.getLong("reliability.scale", 1);
    private static final int LINES = 50;
    /** A 503 within 2 s of Kafka not acknowledging, retried after 1 s; no rate limit in the way of the load. */
    static final Map<String, String> INGEST_SETTINGS = Map.of("INGEST_KAFKA_TIMEOUT_MS", "2000",
            "INGEST_RETRY_AFTER_SECONDS", "1", "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0");

    private volatile Phase phase = Phase.ALL_UP;
    private final AnswersByPhase<Phase> answers = new AnswersByPhase<>(Phase.class);
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong resentLines = new AtomicLong();
    private final AtomicInteger falseSuccesses = new AtomicInteger();
    private final AtomicBoolean recoveredOk = new AtomicBoolean();

    @Test
    void acknowledgedLinesSurviveBrokerLossAndTwoLostBrokersMeanNoFalseSuccess() throws Exception {
        try (MultiBrokerKafka kafka = MultiBrokerKafka.start(3, Map.of());
             IngestFixture ingest = new IngestFixture(kafka, INGEST_SETTINGS, (short) 3)) {
            String token = ingest.provision("addon_faults", "orga_faults");
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> providers = new ArrayList<>();
            for (int p = 0; p < PROVIDERS; p++) {
                int provider = p;
                Thread t = new Thread(() -> provide(ingest, token, provider, running), "provider-" + p);
                t.start();
                providers.add(t);
            }
            Thread.sleep(3000 * SCALE);
            kafka.stopBroker(1);
            phase = Phase.ONE_DOWN;
            Thread.sleep(4000 * SCALE);
            kafka.stopBroker(2);
            phase = Phase.TWO_DOWN;
            Thread.sleep(5000 * SCALE);
            phase = Phase.RESTARTING;
            kafka.startBroker(1);
            kafka.startBroker(2);
            phase = Phase.RECOVERED;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!recoveredOk.get() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(2000);
            running.set(false);
            for (Thread t : providers) {
                t.join();
            }

            StoredLines stored = StoredLines.of(ingest, token);
            Set<String> lost = stored.missing(acknowledged);
            int duplicates = stored.duplicates();
            System.out.printf("broker faults: answers by phase %s; acknowledged %d lines, stored %d records "
                    + "(%d distinct), lost %d, duplicates %d (lines resent after a 503: %d), 2xx with two brokers "
                    + "down: %d%n", answers, acknowledged.size(), stored.ids().size(), stored.distinct(), lost.size(),
                    duplicates, resentLines.get(), falseSuccesses.get());

            Set<Integer> statuses = answers.statuses();
            statuses.removeAll(Set.of(204, 503));
            assertEquals(Set.of(), statuses, "only 204 or 503 under broker faults: " + answers);
            assertEquals(Set.of(), lost, "acknowledged lines missing from Kafka");
            assertTrue(duplicates <= resentLines.get(), "duplicates only from resent requests");
            assertEquals(0, falseSuccesses.get(), "no 2xx for a request made while two brokers were down");
            assertTrue(answers.count(Phase.ONE_DOWN, 204) > 0, "served with one broker down");
            assertTrue(answers.count(Phase.TWO_DOWN, 503) > 0, "503 with two brokers down");
            assertTrue(recoveredOk.get(), "recovered without a restart");
        }
    }

    /** One provider: POSTs numbered lines, resends a body after a 503 until it is accepted. */
    private void provide(IngestFixture ingest, String token, int provider, AtomicBoolean running) {
        int request = 0;
        while (running.get()) {
            int r = request++;
            List<String> ids = IntStream.range(0, LINES).mapToObj(i -> "p" + provider + "-r" + r + "-l" + i).toList();
            String body = Frames.body(ids.stream().map(id -> Frames.line(token, "line " + id)).toList());
            boolean sent = false;
            while (!sent && running.get()) {
                Phase startedIn = phase;
                int status;
                try {
                    HttpResponse<String> response = ingest.send(ingest.post(token)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
                    status = response.statusCode();
                } catch (Exception e) {
                    status = -1;
                }
                Phase answeredIn = phase;
                answers.add(answeredIn, status);
                if (status == 204) {
                    acknowledged.addAll(ids);
                    sent = true;
                    if (startedIn == Phase.TWO_DOWN && answeredIn == Phase.TWO_DOWN) {
                        falseSuccesses.incrementAndGet();
                    }
                    if (startedIn == Phase.RECOVERED) {
                        recoveredOk.set(true);
                    }
                } else {
                    // any other answer (or none, -1) is counted and fails the test on its own thread
                    resentLines.addAndGet(LINES);
                    sleep(200);
                }
            }
        }
    }


    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
