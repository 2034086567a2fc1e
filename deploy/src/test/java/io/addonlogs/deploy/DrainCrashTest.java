package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.Vertx;

/**
 * A drain worker crashing (SIGKILL: no shutdown hook, no last cursor flushed, its connections cut) while it delivers,
 * lines produced all along: issue 13's "after a worker crash, at most the in-flight batch is delivered twice; nothing
 * lost". Two workers run as operators run them ({@code java -jar log-drain.jar}); four add-ons, one per partition, each
 * with two SYSLOG_TCP drains into recorders of their own. Once each worker delivers for its partitions' drains, the
 * first one is killed in the middle of its deliveries; the second takes its partitions over when the group's session
 * times out and starts each drain from its cursor.
 *
 * <p>Asserted per drain on what its recipient got: every line produced for the add-on is there, in order once
 * duplicates are left out (never a line after a later one unless it repeats one already received), and duplicates only
 * as one contiguous run re-sending lines already received up to the last one received, at most
 * {@code DRAIN_BATCH_LINES} long, on the killed worker's drains only (none on the survivor's, which kept their
 * partitions: cooperative rebalancing). Why that bound: a worker sends a drain's next batch only once the previous
 * batch's cursor is stored in Kafka, so at any time only the batch in flight is past the stored cursor, and the next
 * owner starts from that cursor (docs/architecture.md, "Drains").
 */
class DrainCrashTest {

    private static final int PARTITIONS = 4;
    private static final int DRAINS_PER_ADDON = 2;
    private static final int BATCH = 50;
    /** Lines per add-on every {@link #TICK_MS}: 500 lines/s each. */
    private static final int PER_TICK = 2;
    /** Lines per add-on produced at once just before the kill, so that the victim delivers batch after batch. */
    private static final int BURST = 10_000;
    private static final long TICK_MS = 4;

    @Test
    void aWorkerKilledMidDeliveryLosesNothingAndRepeatsAtMostTheBatchInFlight() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<SyslogTcpReceiver> receivers = new ArrayList<>();
        try (DrainStack stack = new DrainStack(TestKafka.shared(), PARTITIONS, ProxiedStack.freshDir("drain-crash"))) {
            List<String> tokens = DrainStack.tokensOverPartitions("lt_crash_", PARTITIONS, PARTITIONS);
            for (int a = 0; a < tokens.size(); a++) {
                stack.register(tokens.get(a), "addon_crash_" + a, "real_crash_" + a);
            }
            Map<String, String> settings = Map.of("DRAIN_BATCH_LINES", String.valueOf(BATCH),
                    "DRAIN_STATUS_MS", "200", "DRAIN_BACKOFF_INITIAL_MS", "200", "DRAIN_BACKOFF_MAX_MS", "1000",
                    // a dead member's partitions move once the coordinator misses its heartbeats this long (the
                    // default 45 s would only make the test longer; 6 s is the broker's minimum)
                    "KAFKA_SESSION_TIMEOUT_MS", "6000", "KAFKA_HEARTBEAT_INTERVAL_MS", "1000");
            ServiceInstance victim = stack.worker("drain-victim", settings, ServiceInstance.TEST_JVM);
            ServiceInstance survivor = stack.worker("drain-survivor", settings, ServiceInstance.TEST_JVM);
            victim.launch();
            survivor.launch();
            victim.awaitReady();
            survivor.awaitReady();
            ServiceInstance.awaitLong(() -> {
                Map<String, Integer> held = stack.assignment();
                return held.size() == 2 && held.values().stream().allMatch(n -> n > 0)
                        && held.values().stream().mapToInt(Integer::intValue).sum() == PARTITIONS;
            }, "both workers holding partitions");

            // drains defined once the partitions are shared, so that each has a channel on its owner only
            List<Recorded> drains = new ArrayList<>();
            for (int a = 0; a < tokens.size(); a++) {
                for (int d = 0; d < DRAINS_PER_ADDON; d++) {
                    Recorded recorded = new Recorded(a);
                    SyslogTcpReceiver receiver = new SyslogTcpReceiver(vertx, (connection, line) -> recorded.add(line));
                    receivers.add(receiver);
                    recorded.receiver = receiver;
                    recorded.drain = stack.drain("addon_crash_" + a, receiver.url());
                    drains.add(recorded);
                }
            }

            Producer producer = new Producer(stack, tokens);
            Thread producing = new Thread(producer, "crash-test-producer");
            producing.start();
            long takeOverMs;
            Set<String> victimDrains;
            List<Integer> midBurst = new ArrayList<>();
            try {
                Await.until(() -> drains.stream().allMatch(r -> r.size() >= 200), "every drain delivering",
                        Duration.ofSeconds(60));
                Map<String, Double> onVictim = DrainStack.perDrain(victim, "drain_delivered_lines_total");
                Map<String, Double> onSurvivor = DrainStack.perDrain(survivor, "drain_delivered_lines_total");
                victimDrains = Set.copyOf(onVictim.keySet());
                assertFalse(victimDrains.isEmpty(), "the victim delivers some drains");
                assertEquals(drains.size(), victimDrains.size() + onSurvivor.size(), "each drain on one worker: "
                        + onVictim + " / " + onSurvivor);
                // killed while it delivers as fast as it can: in the middle of a burst of lines for every add-on
                int[] burstFrom = producer.produced();
                producer.burst(BURST);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!drains.stream().filter(r -> victimDrains.contains(r.drain.id()))
                        .allMatch(r -> r.maxSeq() >= burstFrom[r.addon] + 2 * BATCH)) {
                    assertTrue(System.nanoTime() < deadline, "the victim never delivered the burst");
                    LockSupport.parkNanos(100_000);
                }
                victim.kill();
                long killedAt = System.nanoTime();
                for (Recorded r : drains) {
                    if (victimDrains.contains(r.drain.id())) {
                        midBurst.add(r.maxSeq() - burstFrom[r.addon]);
                    }
                }
                int[] atKill = producer.produced();
                // the survivor takes the partitions over and the victim's drains get lines produced after the kill
                ServiceInstance.awaitLong(() -> drains.stream().allMatch(r -> r.maxSeq() > atKill[r.addon]),
                        "the victim's drains delivered again");
                takeOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                long producedAfter = producer.total() + 2000;
                Await.until(() -> producer.total() >= producedAfter, "more lines after the take-over");
            } finally {
                producer.stop();
                producing.join();
            }
            assertEquals(List.of(), producer.errors, "lines not stored");
            int[] produced = producer.produced();
            Await.until(() -> drains.stream().allMatch(r -> r.distinct() >= produced[r.addon]), "every line delivered",
                    Duration.ofSeconds(60));

            List<String> report = new ArrayList<>();
            for (Recorded r : drains) {
                boolean onVictim = victimDrains.contains(r.drain.id());
                Check check = Check.of(r.seqs(), produced[r.addon]);
                report.add(String.format("add-on %d %s (%s): %d received of %d, %d twice in %d run(s), %d truncated",
                        r.addon, r.drain.id(), onVictim ? "victim" : "survivor", r.size(), produced[r.addon],
                        check.duplicates, check.runs, r.receiver.truncated()));
            }
            System.out.println("drain crash: killed with its drains " + midBurst + " lines into a burst of " + BURST
                    + "; the survivor delivered again within " + takeOverMs + " ms of the kill (then 2,000 more lines"
                    + " produced):\n  " + String.join("\n  ", report));
            assertTrue(midBurst.stream().anyMatch(n -> n < BURST), "killed after the victim had delivered the whole "
                    + "burst: " + midBurst);
            for (Recorded r : drains) {
                boolean onVictim = victimDrains.contains(r.drain.id());
                String which = "add-on " + r.addon + ", drain " + r.drain.id() + (onVictim ? " (victim's)" : "");
                assertEquals(List.of(), r.malformed, which + ": lines not as produced");
                assertEquals(0, r.receiver.framingErrors(), which + ": framing");
                Check check = Check.of(r.seqs(), produced[r.addon]);
                assertNull(check.defect, which + ": " + check.defect);
                assertTrue(check.runs <= (onVictim ? 1 : 0), which + ": " + check.runs + " re-delivered runs");
                assertTrue(check.longestRun <= BATCH, which + ": " + check.longestRun + " lines re-delivered in a run,"
                        + " more than one batch (" + BATCH + ")");
                // a frame cut short can only be the victim's last write on its connection
                assertTrue(r.receiver.truncated() <= (onVictim ? 1 : 0), which + ": " + r.receiver.truncated()
                        + " frames cut short");
            }
        } finally {
            receivers.forEach(SyslogTcpReceiver::close);
            vertx.close().await();
        }
    }

    /** One drain's recipient: the sequence numbers it got, in arrival order. */
    private static final class Recorded {
        final int addon;
        final String prefix;
        final List<Integer> seqs = Collections.synchronizedList(new ArrayList<>());
        final List<String> malformed = new CopyOnWriteArrayList<>();
        final Set<Integer> distinct = Collections.synchronizedSet(new HashSet<>());
        volatile int max = -1;
        SyslogTcpReceiver receiver;
        DrainDefinition drain;

        Recorded(int addon) {
            this.addon = addon;
            this.prefix = DrainStack.forwarded("real_crash_" + addon, "crash ");
        }

        void add(String line) {
            if (!line.startsWith(prefix)) {
                malformed.add(line);
                return;
            }
            int seq = Integer.parseInt(line.substring(prefix.length()));
            seqs.add(seq);
            distinct.add(seq);
            max = Math.max(max, seq);
        }

        int size() {
            return seqs.size();
        }

        int distinct() {
            return distinct.size();
        }

        int maxSeq() {
            return max;
        }

        List<Integer> seqs() {
            synchronized (seqs) {
                return List.copyOf(seqs);
            }
        }
    }

    /**
     * One drain's sequence against {@code 0 .. produced-1}: a line is either the next new one, or repeats one already
     * received; repeats come in runs, each re-sending consecutive lines up to the last one received before it.
     */
    static final class Check {
        int duplicates;
        int runs;
        int longestRun;
        String defect;

        static Check of(List<Integer> seqs, int produced) {
            Check c = new Check();
            int max = -1;
            int prev = -1;
            int run = 0;
            for (int n : seqs) {
                if (n == max + 1) {
                    if (run > 0 && prev != max) {
                        return c.fail("a re-delivery stopped at " + prev + " and went on with " + n + ", skipping "
                                + (prev + 1) + ".." + max);
                    }
                    run = 0;
                    max = n;
                } else if (n > max + 1) {
                    return c.fail("line " + n + " after " + max + ": " + (max + 1) + ".." + (n - 1) + " missing here");
                } else if (run > 0 && n != prev + 1) {
                    return c.fail("line " + n + " repeated after " + prev + ": a re-delivery not contiguous");
                } else {
                    c.duplicates++;
                    c.runs += run == 0 ? 1 : 0;
                    run++;
                    c.longestRun = Math.max(c.longestRun, run);
                }
                prev = n;
            }
            if (run > 0 && prev != max) {
                return c.fail("a re-delivery stopped at " + prev + ", short of " + max);
            }
            if (max != produced - 1) {
                return c.fail("the last line received is " + max + ", the last produced " + (produced - 1));
            }
            return c;
        }

        private Check fail(String why) {
            defect = why;
            return this;
        }
    }

    /** Lines for each add-on, numbered from 0, {@link #PER_TICK} every {@link #TICK_MS} ms each, until stopped. */
    private static final class Producer implements Runnable {
        private final DrainStack stack;
        private final List<String> tokens;
        private final AtomicIntegerArray next;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger burst = new AtomicInteger();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        Producer(DrainStack stack, List<String> tokens) {
            this.stack = stack;
            this.tokens = tokens;
            this.next = new AtomicIntegerArray(tokens.size());
        }

        @Override
        public void run() {
            long due = System.nanoTime();
            while (running.get()) {
                int lines = PER_TICK + burst.getAndSet(0);
                for (int a = 0; a < tokens.size(); a++) {
                    for (int i = 0; i < lines; i++) {
                        stack.send(tokens.get(a), "addon_crash_" + a, "crash " + next.get(a), (meta, error) -> {
                            if (error != null) {
                                errors.add(error);
                            }
                        });
                        next.incrementAndGet(a);
                    }
                }
                due = Math.max(due + TimeUnit.MILLISECONDS.toNanos(TICK_MS), System.nanoTime() - TICK_MS * 1_000_000);
                LockSupport.parkNanos(due - System.nanoTime());
            }
            stack.flush();
        }

        /** {@code lines} more for each add-on at the next tick, as fast as the producer goes. */
        void burst(int lines) {
            burst.set(lines);
        }

        void stop() {
            running.set(false);
        }

        /** Lines sent so far, by add-on. */
        int[] produced() {
            int[] out = new int[next.length()];
            for (int a = 0; a < out.length; a++) {
                out[a] = next.get(a);
            }
            return out;
        }

        long total() {
            long sum = 0;
            for (int n : produced()) {
                sum += n;
            }
            return sum;
        }
    }
}
