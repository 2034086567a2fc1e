package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.ProcessKafkaCluster;

/**
 * Brokers that crash: three KRaft nodes (each broker and controller) in JVMs of their own, topics at RF 3 and
 * min.insync.replicas 2, providers POSTing through an ingest all along (resending after a 503). One node is killed
 * with SIGKILL (the leader of a provider's partition, not the controller), restarted once the others have taken
 * over and waited for until every replica is in sync; then the node holding the active controller is killed, and
 * restarted. Every acknowledged line is in Kafka, ingest answers only 204 or 503, and serves again by itself. The
 * counts, and how long each kill held providers up, are printed (docs/reliability.md quotes them).
 * {@code -Dreliability.scale=N} makes each phase N times longer.
 */
class AbruptBrokerFaultsTest {

    enum Phase { ALL_UP, ONE_KILLED, REJOINING, CONTROLLER_KILLED, RECOVERING, RECOVERED }

    private static final long SCALE = Long.getLong("reliability.scale", 1);
    private static final int PROVIDERS = 3;
    private static final int LINES = 20;

    private volatile Phase phase = Phase.ALL_UP;
    private final AnswersByPhase<Phase> answers = new AnswersByPhase<>(Phase.class);
    /** Per phase, the longest a provider waited between two 204s. */
    private final Map<Phase, AtomicLong> longestWaitMs = new ConcurrentHashMap<>();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicLong resentLines = new AtomicLong();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private long killedAt;

    @Test
    void sigkilledBrokersAndControllerLoseNoAcknowledgedLine() throws Exception {
        try (ProcessKafkaCluster kafka = ProcessKafkaCluster.start(3, Map.of());
             IngestFixture ingest = new IngestFixture(kafka, BrokerFaultsTest.INGEST_SETTINGS, (short) 3)) {
            List<String> tokens = new ArrayList<>();
            for (int p = 0; p < PROVIDERS; p++) {
                tokens.add(ingest.provision("addon_crash_" + p, "orga_crash"));
            }
            AtomicBoolean running = new AtomicBoolean(true);
            List<Thread> providers = new ArrayList<>();
            for (int p = 0; p < PROVIDERS; p++) {
                int provider = p;
                Thread t = new Thread(() -> provide(ingest, tokens.get(provider), provider, running), "provider-" + p);
                t.start();
                providers.add(t);
            }
            List<String> timeline = new ArrayList<>();
            try {
                Thread.sleep(3000 * SCALE);
                int controller = kafka.activeController();
                int firstPartition = LogPartitions.of(tokens.get(0).getBytes(StandardCharsets.UTF_8), 3);
                int victim = kafka.leaders(ingest.logsTopic).get(firstPartition);
                if (victim == controller) {
                    victim = kafka.nodeIds().stream().filter(id -> id != controller).findFirst().orElseThrow();
                }
                timeline.add(kill(kafka, victim, Phase.ONE_KILLED, "node " + victim + " (a partition leader)"));
                timeline.add(awaitLeadersMoved(kafka, ingest.logsTopic, victim));
                Thread.sleep(2000 * SCALE);
                phase = Phase.REJOINING;
                kafka.restart(victim);
                Await.until(() -> kafka.fullyReplicated(List.of(ingest.logsTopic, ingest.tokensTopic)),
                        "node " + victim + " back in every ISR");
                Thread.sleep(2000 * SCALE);

                int active = kafka.activeController();
                timeline.add(kill(kafka, active, Phase.CONTROLLER_KILLED, "node " + active + " (the active controller)"));
                timeline.add(awaitLeadersMoved(kafka, ingest.logsTopic, active));
                timeline.add("controller now node " + kafka.activeController());
                Thread.sleep(2000 * SCALE);
                phase = Phase.RECOVERING;
                kafka.restart(active);
                phase = Phase.RECOVERED;
                Thread.sleep(3000 * SCALE);
            } finally {
                running.set(false);
                for (Thread t : providers) {
                    t.join();
                }
            }

            List<String> ids = new ArrayList<>();
            for (String token : tokens) {
                ids.addAll(StoredLines.of(ingest, token).ids());
            }
            StoredLines stored = new StoredLines(ids);
            Set<String> lost = stored.missing(acknowledged);
            System.out.printf("abrupt broker faults: %s; answers by phase %s; longest wait for a 204 by phase (ms) %s;"
                    + " acknowledged %d lines, stored %d records (%d distinct), lost %d, duplicates %d (lines resent "
                    + "after a 503: %d)%n", timeline, answers, new TreeMap<>(longestWaitMs), acknowledged.size(), stored.ids().size(),
                    stored.distinct(), lost.size(), stored.duplicates(), resentLines.get());

            assertEquals(List.of(), List.copyOf(unexpected), "only 204 or 503 with Retry-After: " + answers);
            assertEquals(Set.of(), lost, "acknowledged lines missing from Kafka");
            assertTrue(stored.duplicates() <= resentLines.get(), "duplicates only from resent requests");
            for (Phase p : List.of(Phase.ONE_KILLED, Phase.CONTROLLER_KILLED, Phase.RECOVERED)) {
                assertTrue(answers.count(p, 204) > 0, "served in " + p + ": " + answers);
            }
            assertNotEquals(0, acknowledged.size());
        }
    }

    private String kill(ProcessKafkaCluster kafka, int node, Phase next, String what) {
        killedAt = System.nanoTime();
        kafka.kill(node);
        phase = next;
        return "SIGKILL " + what + " in " + (System.nanoTime() - killedAt) / 1_000_000 + " ms";
    }

    /** Waits until no partition of {@code topic} is led by the dead node (its session expired, others took over). */
    private String awaitLeadersMoved(ProcessKafkaCluster kafka, String topic, int dead) {
        Await.until(() -> {
            try {
                return !kafka.leaders(topic).containsValue(dead);
            } catch (IllegalStateException noAnswerYet) {
                return false; // no controller yet to answer
            }
        }, "the partitions of " + topic + " led by others than node " + dead);
        return "leaders moved off node " + dead + " " + (System.nanoTime() - killedAt) / 1_000_000 + " ms after the kill";
    }

    /** One provider: POSTs numbered lines, resends a body after a 503 until it is accepted. */
    private void provide(IngestFixture ingest, String token, int provider, AtomicBoolean running) {
        long lastAck = System.nanoTime();
        for (int r = 0; running.get(); r++) {
            int request = r;
            List<String> ids = IntStream.range(0, LINES).mapToObj(i -> "p" + provider + "-r" + request + "-l" + i).toList();
            String body = Frames.body(ids.stream().map(id -> Frames.line(token, "line " + id)).toList());
            boolean sent = false;
            while (!sent) {
                Phase answeredIn;
                int status;
                boolean retryAfter = false;
                try {
                    HttpResponse<String> response = ingest.send(ingest.post(token)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build());
                    status = response.statusCode();
                    retryAfter = response.headers().firstValue("Retry-After").isPresent();
                } catch (Exception e) {
                    status = -1;
                }
                answeredIn = phase;
                answers.add(answeredIn, status);
                if (status == 204) {
                    acknowledged.addAll(ids);
                    sent = true;
                    long now = System.nanoTime();
                    longestWaitMs.computeIfAbsent(answeredIn, p -> new AtomicLong())
                            .accumulateAndGet((now - lastAck) / 1_000_000, Math::max);
                    lastAck = now;
                } else {
                    if (status != 503 || !retryAfter) {
                        unexpected.add(status + (retryAfter ? "" : " without Retry-After") + " in " + answeredIn);
                    }
                    resentLines.addAndGet(LINES);
                    try {
                        Thread.sleep(status == 503 ? 1000 : 200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

}
