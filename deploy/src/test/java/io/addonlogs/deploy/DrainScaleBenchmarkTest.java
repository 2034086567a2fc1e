package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;
import io.vertx.core.Vertx;

/**
 * docs/BENCHMARKS.md, "Drains: 1,000 drains over 100 add-ons": issue 13's scale scenario. One drain worker as
 * production runs it ({@code java -jar log-drain.jar} with the heap the Dockerfile gives a 1 GiB container, 70 %, and
 * the Serial GC the JVM picks there), 1,000 {@code SYSLOG_TCP} drains over 100 add-ons (10 each), one of them into a
 * port where nothing listens, dead for the whole run; the 999 others into one receiver in this JVM that notes when each
 * line arrives. {@code drain.bench.rate} lines/s in total (20,000) are produced into the logs topic as ingest stores
 * them, spread evenly over the add-ons, each carrying its send time, for {@code drain.bench.seconds} (60).
 *
 * <p>Figures: delivery latency (send to receipt) p50/p99/max over every line every healthy drain owed, a line not
 * delivered by the end counting as later than any; lines/s produced and delivered; the worker's heap in use (sampled
 * from its {@code /metrics} every second) and after a full GC under load ({@code jcmd GC.run}, two thirds into the
 * run), its RSS and CPU; the dead drain's lag. Runs only with {@code -Ddrain.bench=true}; not a pass/fail test.
 */
class DrainScaleBenchmarkTest {

    private static final int ADDONS = Integer.getInteger("drain.bench.addons", 100);
    private static final int DRAINS = Integer.getInteger("drain.bench.drains", 1000);
    private static final int RATE = Integer.getInteger("drain.bench.rate", 20_000);
    private static final int SECONDS = Integer.getInteger("drain.bench.seconds", 60);
    private static final int PARTITIONS = Integer.getInteger("drain.bench.partitions", 12);
    /** Heap of a worker in a 1 GiB container: the Dockerfile's {@code -XX:MaxRAMPercentage=70}. */
    private static final List<String> WORKER_JVM = List.of("-Xmx717m", "-XX:+UseSerialGC",
            "-XX:+ExitOnOutOfMemoryError");
    private static final long TICK_MS = 10;
    private static final int MAX_LATENCY_MS = 600_000;

    @Test
    void thousandDrainsOneDeadAtTwentyThousandLinesPerSecond() throws Exception {
        assumeTrue(Boolean.getBoolean("drain.bench"), "a benchmark: -Ddrain.bench=true");
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).strip();
        Vertx vertx = Vertx.vertx();
        Received received = new Received(ADDONS);
        SyslogTcpReceiver receiver = new SyslogTcpReceiver(vertx, (connection, line) -> received.line(line));
        try (DrainStack stack = new DrainStack(TestKafka.shared(), PARTITIONS, ProxiedStack.freshDir("drain-scale"))) {
            List<String> tokens = DrainStack.tokensOverPartitions("lt_scale_", ADDONS, PARTITIONS);
            for (int a = 0; a < ADDONS; a++) {
                stack.register(tokens.get(a), "addon_scale_" + a, "real_scale_" + a);
            }
            ServiceInstance worker = stack.worker("drain-worker", Map.of(), WORKER_JVM);
            worker.start();

            int deadPort = ListenPort.free("127.0.0.1");
            int[] healthy = new int[ADDONS];
            DrainDefinition dead = null;
            for (int d = 0; d < DRAINS; d++) {
                int a = d % ADDONS;
                if (d == 0) {
                    dead = stack.drain("addon_scale_0", "tcp://127.0.0.1:" + deadPort);
                } else {
                    stack.drain("addon_scale_" + a, receiver.url());
                    healthy[a]++;
                }
            }
            // every healthy drain live: a first line of each add-on reaches all of its drains (not timed)
            for (int a = 0; a < ADDONS; a++) {
                stack.send(tokens.get(a), "addon_scale_" + a, "w " + a + " 0", null);
            }
            long setUp = System.nanoTime();
            ServiceInstance.awaitLong(() -> received.warmUpReached(healthy), "every healthy drain delivering");
            long warmUpMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - setUp);

            Sampler sampler = new Sampler(worker);
            Thread sampling = new Thread(sampler, "drain-bench-sampler");
            sampling.start();
            long[] produced = new long[ADDONS];
            AtomicLong sendErrors = new AtomicLong();
            long perTick = Math.max(1, RATE * TICK_MS / 1000 / ADDONS);
            long ticks = SECONDS * 1000L / TICK_MS;
            AtomicReference<String> gcAfter = new AtomicReference<>("not run");
            // off this thread: starting jcmd takes a second, which would hold the producer up
            Thread gc = new Thread(() -> gcAfter.set(fullGc(worker)), "drain-bench-gc");
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            long due = start;
            for (long t = 0; t < ticks; t++) {
                long now = System.currentTimeMillis();
                for (int a = 0; a < ADDONS; a++) {
                    for (int i = 0; i < perTick; i++) {
                        stack.send(tokens.get(a), "addon_scale_" + a, "b " + a + " " + now, (meta, error) -> {
                            if (error != null) {
                                sendErrors.incrementAndGet();
                            }
                        });
                    }
                    produced[a] += perTick;
                }
                if (t == ticks * 2 / 3) {
                    gc.start();
                }
                due += TimeUnit.MILLISECONDS.toNanos(TICK_MS);
                LockSupport.parkNanos(due - System.nanoTime());
            }
            stack.flush();
            double producedSeconds = (System.nanoTime() - start) / 1e9;
            gc.join();
            long owed = 0;
            for (int a = 0; a < ADDONS; a++) {
                owed += produced[a] * healthy[a];
            }
            long total = owed;
            boolean complete = true;
            try {
                Await.until(() -> received.timed() >= total, "every line delivered", Duration.ofSeconds(120));
            } catch (AssertionError timedOut) {
                complete = false; // reported below: the missing lines count as later than any
            }
            double deliveredSeconds = (received.lastAt() - startMillis) / 1000.0;
            sampler.stop();
            sampling.join();
            String deadLag = String.valueOf(DrainStack.perDrain(worker, "drain_lag_lines").get(dead.id()));
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).strip();

            System.out.printf("drain scale bench: %d drains over %d add-ons (1 dead), %d partitions, worker %s; "
                    + "every healthy drain live %d ms after the warm-up line%n", DRAINS, ADDONS, PARTITIONS,
                    WORKER_JVM, warmUpMs);
            System.out.printf("drain scale bench: produced %d lines in %.1f s (%.0f lines/s, %d not stored); the healthy "
                    + "drains owed %d deliveries (%.0f/s), received %d%s, the last %.1f s after the first send%n",
                    ADDONS * produced[0], producedSeconds, ADDONS * produced[0] / producedSeconds, sendErrors.get(), total,
                    total / producedSeconds, received.timed(), complete ? "" : " (INCOMPLETE after 120 s)",
                    deliveredSeconds);
            System.out.printf("drain scale bench: latency of the healthy drains' lines: p50 %d ms, p99 %d ms, "
                    + "p99.9 %d ms, max %s%n", received.percentile(total, 0.50), received.percentile(total, 0.99),
                    received.percentile(total, 0.999), complete ? received.max() + " ms" : "not delivered");
            System.out.printf("drain scale bench: worker heap in use max %.0f MiB, mean %.0f MiB (of %s); after a full "
                    + "GC under load %s; RSS max %.0f MiB; CPU mean %.0f %% of the box; the dead drain's lag %s "
                    + "lines (%d produced for its add-on)%n", sampler.heapMax / 1048576, sampler.heapMean() / 1048576,
                    WORKER_JVM.get(0), gcAfter.get(), sampler.rssMax / 1048576, sampler.cpuMean() * 100, deadLag,
                    produced[0] + 1);
            System.out.printf("drain scale bench: load average before %s, after %s%n", loadBefore, loadAfter);
            if (!sampler.errors.isEmpty()) {
                throw new AssertionError("sampling the worker's /metrics failed", sampler.errors.get(0));
            }
        } finally {
            receiver.close();
            vertx.close().await();
        }
    }

    /**
     * {@code jcmd <pid> GC.run}, then the heap in use as the worker's /metrics says: its live set under load, or what
     * went wrong (printed with the figures).
     */
    private static String fullGc(ServiceInstance worker) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(worker.pid()), "GC.run").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (jcmd.waitFor() != 0) {
                return "jcmd failed: " + out.strip();
            }
            double heap = ServiceInstance.metric(worker.managementUrl(), "jvm_memory_used_bytes{area=\"heap\"}");
            return String.format("%.0f MiB", heap / 1048576);
        } catch (IOException | AssertionError e) {
            return "not measured: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** What the healthy drains delivered: counts by add-on, latencies in a histogram of milliseconds. */
    private static final class Received {
        private final AtomicLongArray warmUp;
        private final AtomicLongArray byMs = new AtomicLongArray(MAX_LATENCY_MS + 1);
        private final AtomicLong timed = new AtomicLong();
        private volatile long lastAt;
        private volatile long max;

        Received(int addons) {
            warmUp = new AtomicLongArray(addons);
        }

        /** {@code … - - b <add-on> <sent ms>} or the warm-up {@code … - - w <add-on> 0}; on the receiver's loop. */
        void line(String line) {
            long now = System.currentTimeMillis();
            int last = line.lastIndexOf(' ');
            int before = line.lastIndexOf(' ', last - 1);
            int addon = Integer.parseInt(line, before + 1, last, 10);
            if (line.charAt(before - 1) == 'w') {
                warmUp.incrementAndGet(addon);
                return;
            }
            long latency = Math.max(0, now - Long.parseLong(line, last + 1, line.length(), 10));
            byMs.incrementAndGet((int) Math.min(latency, MAX_LATENCY_MS));
            timed.incrementAndGet();
            lastAt = now;
            if (latency > max) {
                max = latency;
            }
        }

        boolean warmUpReached(int[] healthy) {
            for (int a = 0; a < healthy.length; a++) {
                if (warmUp.get(a) < healthy[a]) {
                    return false;
                }
            }
            return true;
        }

        long timed() {
            return timed.get();
        }

        long lastAt() {
            return lastAt;
        }

        long max() {
            return max;
        }

        /** The latency at quantile {@code q} of {@code owed} deliveries; those never made count as later than any. */
        long percentile(long owed, double q) {
            long rank = (long) Math.ceil(owed * q);
            long seen = 0;
            for (int ms = 0; ms <= MAX_LATENCY_MS; ms++) {
                seen += byMs.get(ms);
                if (seen >= rank) {
                    return ms;
                }
            }
            return Long.MAX_VALUE;
        }
    }

    /** The worker's heap in use, RSS and CPU from its /metrics, every second. */
    private static final class Sampler implements Runnable {
        private final ServiceInstance worker;
        private volatile boolean running = true;
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        double heapMax;
        double heapSum;
        double rssMax;
        double cpuSum;
        int samples;

        Sampler(ServiceInstance worker) {
            this.worker = worker;
        }

        @Override
        public void run() {
            while (running) {
                double heap;
                double rss;
                double cpu;
                try {
                    heap = ServiceInstance.metric(worker.managementUrl(), "jvm_memory_used_bytes{area=\"heap\"}");
                    rss = ServiceInstance.metric(worker.managementUrl(), "process_resident_memory_bytes");
                    cpu = ServiceInstance.metric(worker.managementUrl(), "process_cpu_usage");
                } catch (AssertionError e) {
                    errors.add(e); // thrown again on the test's thread
                    return;
                }
                synchronized (this) {
                    heapMax = Math.max(heapMax, heap);
                    heapSum += heap;
                    rssMax = Math.max(rssMax, rss);
                    cpuSum += cpu;
                    samples++;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }

        void stop() {
            running = false;
        }

        synchronized double heapMean() {
            return samples == 0 ? 0 : heapSum / samples;
        }

        synchronized double cpuMean() {
            return samples == 0 ? 0 : cpuSum / samples;
        }
    }
}
