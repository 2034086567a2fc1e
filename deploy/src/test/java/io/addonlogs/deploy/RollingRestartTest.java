package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;

/**
 * A rolling deploy behind the real proxy: haproxy with the shipped haproxy.cfg in front of 2 ingest and 2 consumer
 * JVMs (their jars), providers POSTing through it all along and viewers tailing through it. Each instance in turn is
 * stopped with SIGTERM, started again on its port and waited for until the proxy counts it ready. Every line a 204
 * acknowledged is in Kafka; each viewer, resuming with {@code Last-Event-ID} whenever its stream ends, sees exactly
 * the records Kafka holds for its add-on, in order, each once; the providers get nothing but 204 and 503 with
 * Retry-After, and never a connection closed unanswered (docs/operations.md "Rolling deploys").
 * {@code -Dreliability.scale=N}: N rounds of restarts. Skipped without haproxy, unless
 * {@code MONITORING_TESTS=required}.
 */
class RollingRestartTest {

    private static final int ROUNDS = Integer.getInteger("reliability.scale", 1);
    private static final int ADDONS = 4;
    private static final String OWNER = "orga_rolling";

    @Test
    void everyInstanceRestartedInTurnLosesNoLineAndViewersResumeExactlyOnce() throws Exception {
        try (ProxiedStack stack = new ProxiedStack(ProxiedStack.freshDir("rolling-restart"), 2, 6, Map.of())) {
            Map<String, String> tokens = new LinkedHashMap<>();
            for (int a = 0; a < ADDONS; a++) {
                tokens.put("addon_rolling_" + a, stack.admin().tokenFor("addon_rolling_" + a, OWNER));
            }
            String jwt = stack.viewerToken(OWNER);
            List<ResumingViewer> viewers = new ArrayList<>();
            for (String addon : tokens.keySet()) {
                viewers.add(new ResumingViewer(stack.consumerUrl(), OWNER, addon, jwt));
            }
            List<String> restarts = new ArrayList<>();
            for (ResumingViewer viewer : viewers) {
                viewer.awaitConnected(); // from here on, every line stored for its add-on reaches it
            }
            ProxyLoad load = new ProxyLoad(stack.ingestUrl(), List.copyOf(tokens.values()), 10, 20);
            try {
                Await.until(() -> load.acknowledgedLines() >= 200, "load through the proxy");
                for (int round = 0; round < ROUNDS; round++) {
                    for (ServiceInstance instance : stack.all()) {
                        restarts.add(restart(stack, instance, load));
                    }
                }
            } finally {
                load.close();
            }
            try {
                List<String> addons = List.copyOf(tokens.keySet());
                Map<String, List<String>> byToken = stack.storedIds();
                Map<String, List<String>> stored = new LinkedHashMap<>();
                for (String addon : addons) {
                    stored.put(addon, byToken.getOrDefault(tokens.get(addon), List.of()));
                }
                for (int a = 0; a < ADDONS; a++) {
                    viewers.get(a).awaitLines(stored.get(addons.get(a)).size());
                }
                System.out.printf("rolling restart x%d: %s; answers 204 %d, 503 %d (resent after Retry-After), other %d,"
                        + " closed unanswered (resent) %s; acknowledged %d lines, stored %d; viewers: drops %s, refused "
                        + "reconnections %s%n", ROUNDS, restarts, load.answers(204), load.answers(503),
                        load.failures.size(), load.unanswered, load.acknowledgedLines(),
                        stored.values().stream().mapToInt(List::size).sum(),
                        viewers.stream().map(v -> v.drops.get()).toList(), viewers.stream().map(v -> v.refusals).toList());

                assertEquals(List.of(), List.copyOf(load.failures), "POST answers other than 204 and 503 + Retry-After");
                // a stopping ingest serves on, unready, until haproxy has taken it out (INGEST_SHUTDOWN_DELAY_MS):
                // before that, 3 runs in 7 had one request whose connection closed with no answer
                assertEquals(List.of(), List.copyOf(load.unanswered), "requests whose connection closed unanswered");
                for (int a = 0; a < ADDONS; a++) {
                    String addon = addons.get(a);
                    Set<String> lost = new HashSet<>(load.acknowledged(tokens.get(addon)));
                    lost.removeAll(stored.get(addon));
                    assertEquals(Set.of(), lost, addon + ": acknowledged lines missing from Kafka");
                    ResumingViewer viewer = viewers.get(a);
                    viewer.assertSawExactly(stored.get(addon), addon);
                    assertTrue(viewer.drops.get() >= ROUNDS, addon + ": its stream ended with its consumer and resumed");
                }
                assertTrue(load.answers(204) > 0 && stored.values().stream().allMatch(ids -> ids.size() >= 100),
                        "load on every add-on");
            } finally {
                viewers.forEach(ResumingViewer::close);
            }
        }
    }

    /**
     * SIGTERM, start again on the same ports, wait until the proxy's health checks count the instance ready, then
     * until the load has gone on a little: one step of a rolling deploy.
     */
    private static String restart(ProxiedStack stack, ServiceInstance instance, ProxyLoad load) throws Exception {
        long startedAt = System.currentTimeMillis();
        long start = System.nanoTime();
        int before = load.acknowledgedLines();
        instance.stop();
        long stopped = System.nanoTime();
        instance.start();
        ServiceInstance.awaitLong(() -> stack.activeServers(instance.kind.module) == 2, "haproxy counts "
                + instance.name + " ready");
        String step = String.format("%s at %d: stopped in %d ms, back in the pool after %d ms (%d lines acknowledged "
                + "meanwhile)", instance.name, startedAt, (stopped - start) / 1_000_000,
                (System.nanoTime() - start) / 1_000_000, load.acknowledgedLines() - before);
        int after = load.acknowledgedLines();
        Await.until(() -> load.acknowledgedLines() >= after + 100, "load goes on after " + instance.name);
        return step;
    }
}
