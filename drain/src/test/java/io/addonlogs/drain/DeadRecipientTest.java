package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * One recipient dead while other drains on the same partition (of the same add-on and of another) keep delivering
 * promptly; the dead one backs off, shows RETRYING with its attempts and its real backlog, and once it comes back
 * gets every line, in order, once.
 */
class DeadRecipientTest {

    private static final String TOKEN_A = "lt_dead_recipient_a_0123456789abcdef01";
    private static final String TOKEN_B = "lt_dead_recipient_b_0123456789abcdef01";
    private static DrainFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        // one partition: every drain shares it; few lines held per drain: a dead one cannot hold many
        fixture = new DrainFixture(TestKafka.shared(), 1, Map.of("DRAIN_PENDING_LINES", "100", "DRAIN_BATCH_LINES", "50"));
        fixture.startWorker();
        fixture.register(TOKEN_A, "addon_a", "realid_a", "orga_test");
        fixture.register(TOKEN_B, "addon_b", "realid_b", "orga_test");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aDeadDrainDelaysNoOtherAndGetsEverythingInOrderOnceBack() throws Exception {
        int deadPort = ListenPort.free("127.0.0.1");
        try (Rsyslog healthyA = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null);
             Rsyslog healthyB = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null)) {
            DrainDefinition dead = fixture.drain("addon_a", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + deadPort);
            fixture.drain("addon_a", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + healthyA.port());
            fixture.drain("addon_b", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + healthyB.port());
            Thread.sleep(1500); // past the drains' creation time

            // a first line, not timed: each drain starts by reading back from its creation time
            fixture.post(TOKEN_A, List.of("warm-up"));
            fixture.post(TOKEN_B, List.of("warm-up"));
            Await.until(() -> healthyA.received().size() == 1 && healthyB.received().size() == 1, "the warm-up line");
            int rounds = 40;
            int perRound = 25;
            List<Long> latencies = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                List<String> messages = DrainFixture.range("r" + r + "-", 0, perRound);
                long posted = System.nanoTime();
                fixture.post(TOKEN_A, messages);
                fixture.post(TOKEN_B, messages);
                int want = 1 + (r + 1) * perRound;
                Await.until(() -> healthyA.received().size() >= want && healthyB.received().size() >= want,
                        "round " + want);
                latencies.add((System.nanoTime() - posted) / 1_000_000);
            }
            System.out.println("latencies in order (ms): " + latencies);
            Collections.sort(latencies);
            long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
            assertTrue(p99 <= 1000, "healthy drains' delivery p99 " + p99 + " ms with a dead drain beside them: "
                    + latencies);

            List<String> expected = new ArrayList<>(List.of(DrainFixture.forwarded("realid_a", "warm-up")));
            for (int r = 0; r < rounds; r++) {
                DrainFixture.range("r" + r + "-", 0, perRound).forEach(m -> expected.add(DrainFixture.forwarded("realid_a", m)));
            }
            assertEquals(expected, healthyA.received());
            assertEquals(expected.stream().map(l -> l.replace("realid_a", "realid_b")).toList(), healthyB.received());

            String key = dead.id() + "/0";
            Await.until(() -> {
                DrainStatus s = fixture.statuses().get(key);
                return s != null && s.execution().status().equals("RETRYING") && s.execution().attempt() >= 2
                        && s.msgBacklog() == 1 + rounds * perRound;
            }, "the dead drain RETRYING, attempts counted, backlog = every line posted");
            DrainStatus status = fixture.statuses().get(key);
            assertTrue(status.execution().lastError() != null && status.execution().retryingSince() != null
                    && status.execution().nextAttemptAt() != null, status.toString());

            String metrics = fixture.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                    + fixture.workers.get(0).managementPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            String tags = "{drain=\"" + dead.id() + "\",type=\"SYSLOG_TCP\"}";
            assertTrue(metrics.contains("drain_lag_lines" + tags + " " + (1 + rounds * perRound) + ".0"), metrics);
            assertTrue(metrics.contains("drain_delivered_lines_total" + tags + " 0.0"), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("drain_failed_lines_total" + tags + " ")
                    && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) > 0), metrics);

            try (Rsyslog revived = Rsyslog.start(Rsyslog.Mode.TCP, deadPort, null)) {
                Await.until(() -> revived.received().size() >= expected.size(), "the revived recipient caught up");
                Thread.sleep(500);
                assertEquals(expected, revived.received(), "every line, in order, once");
                Await.until(() -> {
                    DrainStatus s = fixture.statuses().get(key);
                    return s != null && s.execution().status().equals("RUNNING") && s.msgBacklog() == 0;
                }, "the drain RUNNING again with an empty backlog");
            }
        }
    }
}
