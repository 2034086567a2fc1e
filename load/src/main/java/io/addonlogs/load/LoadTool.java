package io.addonlogs.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import io.addonlogs.common.kafka.KafkaClientSettings;
import io.addonlogs.deploy.AdminTokens;
import io.addonlogs.deploy.LocalStack;
import io.addonlogs.ingest.IngestConfig;
import io.vertx.core.Vertx;

/**
 * Drives ingest (and optionally SSE viewers) and reports throughput, latency, memory and the ratio to Kafka's own
 * producer ceiling. {@code --help} lists the options; docs/BENCHMARKS.md has the scenarios.
 */
public final class LoadTool {

    private LoadTool() {
    }

    public static void main(String[] args) throws Exception {
        LoadOptions options;
        try {
            options = LoadOptions.parse(args);
        } catch (IllegalArgumentException e) {
            boolean help = "help".equals(e.getMessage());
            (help ? System.out : System.err).println((help ? "" : "error: " + e.getMessage() + "\n\n")
                    + LoadOptions.USAGE);
            System.exit(help ? 0 : 2);
            return;
        }
        LoadReport report = run(options, System.out);
        System.exit(report.errorCount() == 0 ? 0 : 1);
    }

    static LoadReport run(LoadOptions requested, PrintStream out) throws Exception {
        Path kafkaDir = null;
        LocalStack stack = null;
        LoadOptions options = requested;
        try {
            if (options.local()) {
                kafkaDir = Files.createTempDirectory("load-kafka");
                Map<String, String> env = new HashMap<>(System.getenv());
                env.putAll(LocalStack.onFreePorts(kafkaDir));
                stack = LocalStack.start(env);
                options = options.withTarget(stack.ingestUrl(), stack.ingestManagementUrl(),
                        stack.ingestConfig().adminToken(), stack.consumerUrl(), stack.consumerManagementUrl(),
                        stack.viewerJwtSecret(), stack.bootstrapServers(), stack.ingestConfig().logsTopic());
                out.println("Local stack started in this JVM (Kafka " + stack.bootstrapServers() + ")");
            }
            return measure(options, stack != null, out);
        } finally {
            if (stack != null) {
                stack.close();
            }
            if (kafkaDir != null) {
                deleteTree(kafkaDir);
            }
        }
    }

    private static LoadReport measure(LoadOptions options, boolean oneJvm, PrintStream out) throws Exception {
        if (options.adminToken() == null) {
            throw new IllegalArgumentException("--admin-token is needed to provision the load add-ons");
        }
        if (options.viewers() > 0 && (options.consumer() == null || options.viewerSecret() == null)) {
            throw new IllegalArgumentException("--viewers needs --consumer and --viewer-secret");
        }
        AdminTokens admin = new AdminTokens(options.ingestManagement(), options.adminToken());
        List<String> addonIds = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < options.addons(); i++) {
            addonIds.add("addon_load_" + i);
            tokens.add(admin.tokenFor(addonIds.get(i), Viewers.OWNER));
        }
        ServiceSampler sampler = new ServiceSampler();
        // in the local mode everything (Kafka, both services, this tool) is one process: sample it once
        sampler.add(oneJvm ? "one JVM" : "ingest", options.ingestManagement());
        if (!oneJvm) {
            sampler.add("consumer", options.consumerManagement());
        }

        Vertx vertx = Vertx.vertx();
        // the providers on event loops of their own: behind a thousand viewers' reads, a POST's answer waited its
        // turn on a shared loop for tens of milliseconds, and the providers could not keep their rate
        Vertx providerLoops = Vertx.vertx();
        LoadStats stats = new LoadStats(options.addons());
        Viewers viewers = new Viewers(vertx, options, stats);
        Providers providers = new Providers(providerLoops, options, tokens, stats);
        try {
            if (options.viewers() > 0) {
                viewers.open(addonIds);
                out.printf("%d of %d viewers connected%n", viewers.connected(), options.viewers());
            }
            long start = System.nanoTime();
            long warmupEnd = start + options.warmup().toNanos();
            long end = warmupEnd + options.duration().toNanos();
            providers.start();
            Histogram post = new Histogram(3);
            Histogram delivery = new Histogram(3);
            long[] atWarmupEnd = null;
            Histogram postInterval = null;
            Histogram deliveryInterval = null;
            long previousLines = 0;
            long previousTick = start;
            for (long tick = start + 1_000_000_000L; ; tick += 1_000_000_000L) {
                long sleep = Math.min(tick, end) - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
                long now = System.nanoTime();
                postInterval = stats.postLatency.getIntervalHistogram(postInterval);
                deliveryInterval = stats.deliveryLatency.getIntervalHistogram(deliveryInterval);
                boolean measuring = now > warmupEnd;
                if (measuring && atWarmupEnd == null) {
                    atWarmupEnd = counters(stats);
                } else if (measuring) {
                    post.add(postInterval);
                    delivery.add(deliveryInterval);
                }
                double elapsed = (now - start) / 1e9;
                Map<String, ServiceSampler.Sample> memory = sampler.sample(elapsed);
                long lines = stats.linesAccepted.sum();
                double linesPerSecond = (lines - previousLines) / ((now - previousTick) / 1e9);
                previousLines = lines;
                previousTick = now;
                out.println(progress(elapsed, measuring, linesPerSecond, postInterval, deliveryInterval, stats,
                        memory));
                if (now >= end) {
                    break;
                }
            }
            long measuredEnd = System.nanoTime();
            long[] atEnd = counters(stats);
            providers.stop();
            long expected = awaitDeliveries(stats, options);
            sampler.sample((System.nanoTime() - start) / 1e9); // the CPU spent delivering what was accepted
            long measuredSseLines = stats.sseLines.sum() - (atWarmupEnd == null ? 0 : atWarmupEnd[3]);
            ProducerBaseline.Result baseline = null;
            if (options.baselineRecords() > 0 && options.bootstrap() != null) {
                out.println("Running Kafka's ProducerPerformance with the ingest's producer settings...");
                byte[] body = new LogplexBodies(tokens, options.linesPerPost(), options.minLineBytes(),
                        options.maxLineBytes(), false, 1).next(0, System.nanoTime());
                baseline = ProducerBaseline.run(baselineConfig(options, oneJvm), ProducerBaseline.payloadFile(body),
                        options.baselineRecords());
            }
            long[] measuredCounters = atWarmupEnd == null ? atEnd : subtract(atEnd, atWarmupEnd);
            LoadReport report = new LoadReport(options, (measuredEnd - warmupEnd) / 1e9, measuredCounters[0],
                    measuredCounters[1], measuredCounters[2], post, delivery, viewers.connected(),
                    stats.sseLines.sum(), measuredSseLines, expected, stats.viewerDrops.sum(), stats.errors(),
                    sampler.series(), baseline);
            out.print(report.table());
            Path json = Path.of(options.json());
            Files.writeString(json, report.toJson().encodePrettily());
            out.println("  JSON             " + json.toAbsolutePath());
            return report;
        } finally {
            viewers.close();
            vertx.close().await();
            providerLoops.close().await();
        }
    }

    /**
     * The ingest's settings for the baseline producer: {@code --bootstrap} and {@code --logs-topic}, and against a
     * Kafka of the operator's, the {@code KAFKA_*} client settings of this environment (security), as the ingest
     * would read them; never for the stack started in this JVM (a plaintext broker of its own).
     */
    private static IngestConfig baselineConfig(LoadOptions options, boolean oneJvm) {
        Map<String, String> env = new HashMap<>();
        if (!oneJvm) {
            System.getenv().forEach((name, value) -> {
                if (name.startsWith(KafkaClientSettings.PREFIX)) {
                    env.put(name, value);
                }
            });
        }
        env.put("KAFKA_BOOTSTRAP_SERVERS", options.bootstrap());
        env.put("LOGS_TOPIC", options.logsTopic());
        return IngestConfig.from(env);
    }

    private static long[] counters(LoadStats stats) {
        return new long[] {stats.linesAccepted.sum(), stats.bytesAccepted.sum(), stats.postsAccepted.sum(),
                stats.sseLines.sum()};
    }

    private static long[] subtract(long[] a, long[] b) {
        return new long[] {a[0] - b[0], a[1] - b[1], a[2] - b[2], a[3] - b[3]};
    }

    /** Lines each add-on's viewers should have had; waits (10 s at most) until they have. */
    private static long awaitDeliveries(LoadStats stats, LoadOptions options) throws InterruptedException {
        if (options.viewers() == 0) {
            return 0;
        }
        long expected = 0;
        for (int a = 0; a < options.addons(); a++) {
            int viewersOfAddon = options.viewers() / options.addons() + (a < options.viewers() % options.addons() ? 1 : 0);
            expected += stats.acceptedPerAddon.get(a) * viewersOfAddon;
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stats.sseLines.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return expected;
    }

    private static String progress(double elapsed, boolean measuring, double linesPerSecond, Histogram post,
                                   Histogram delivery, LoadStats stats, Map<String, ServiceSampler.Sample> memory) {
        StringBuilder line = new StringBuilder(String.format("[%5.1fs%s] %,9.0f lines/s  POST p50 %6.2f p99 %7.2f ms",
                elapsed, measuring ? "" : " warmup", linesPerSecond,
                post.getValueAtPercentile(50) / 1000.0, post.getValueAtPercentile(99) / 1000.0));
        if (delivery.getTotalCount() > 0) {
            line.append(String.format("  SSE p50 %6.2f p99 %7.2f ms", delivery.getValueAtPercentile(50) / 1000.0,
                    delivery.getValueAtPercentile(99) / 1000.0));
        }
        line.append("  errors ").append(stats.errorCount());
        memory.forEach((name, s) -> line.append(String.format("  %s RSS %d MB heap %d MB", name,
                s.rssBytes() >> 20, s.heapBytes() >> 20)));
        return line.toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
