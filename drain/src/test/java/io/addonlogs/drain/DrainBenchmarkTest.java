package io.addonlogs.drain;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * docs/BENCHMARKS.md, "Drains": one worker delivering one add-on's lines into one rsyslog over TCP. Lines are
 * produced straight into the logs topic as ingest stores them (key = token, header {@code addon-id}), so the figures
 * are the drain's. Throughput: a backlog of {@code drain.bench.lines} lines produced at once, timed from the first
 * send to rsyslog's receive time of the last. Latency: {@code drain.bench.rate} lines/s for 10 s, each line carrying
 * its send time, against rsyslog's receive time. Both throughput phases run once unmeasured first, with
 * {@code drain.bench.warmup} lines (300,000; 0: none). {@code drain.bench.batch} sets the worker's
 * {@code DRAIN_BATCH_LINES}. Runs only with {@code -Ddrain.bench=true}.
 */
class DrainBenchmarkTest {

    private static final String TOKEN = "lt_bench_drain_0123456789abcdef012345";

    @Test
    void oneWorkerIntoOneRsyslog() throws Exception {
        assumeTrue(Boolean.getBoolean("drain.bench"), "a benchmark: -Ddrain.bench=true");
        int backlog = Integer.getInteger("drain.bench.lines", 500_000);
        int rate = Integer.getInteger("drain.bench.rate", 20_000);
        String batchLines = System.getProperty("drain.bench.batch");
        try (DrainFixture fixture = new DrainFixture(TestKafka.shared(), 3,
                batchLines == null ? Map.of() : Map.of("DRAIN_BATCH_LINES", batchLines));
             Rsyslog rsyslog = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null, true);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, fixture.kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10,
                     ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            fixtureTopic = fixture.logsTopic;
            fixture.startWorker();
            fixture.register(TOKEN, "addon_bench", "postgresql_bench", "orga_bench");
            DrainDefinition drain = fixture.drain("addon_bench", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + rsyslog.port());
            Thread.sleep(1500);
            fixture.post(TOKEN, List.of("warm-up"));
            LineCount count = new LineCount(rsyslog.output());
            Await.until(() -> count.now() == 1, "warm-up line");

            // the same phases once unmeasured first: the worker and the broker share this fresh JVM, whose JIT
            // compilers otherwise take a third of its CPU during the first rounds
            Phases phases = new Phases(fixture, rsyslog, producer, count, drain);
            long expected = 1;
            int warmUp = Integer.getInteger("drain.bench.warmup", 300_000);
            if (warmUp > 0) {
                phases.live("wb", warmUp, expected += warmUp);
                phases.catchUp("wc", warmUp, expected += warmUp);
                System.out.printf("drain bench: warmed up with %d lines live and %d caught up%n", warmUp, warmUp);
            }
            double live = phases.live("b", backlog, expected += backlog);
            System.out.printf("drain bench: %d lines produced at once: delivered to rsyslog at %.0f lines/s%n", backlog,
                    live);
            double catchUp = phases.catchUp("c", backlog, expected += backlog);
            System.out.printf("drain bench: catch-up of %d lines from Kafka: %.0f lines/s%n", backlog, catchUp);

            // latency at a steady rate
            int total = rate * 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                // parked, not spinning: a spinning sender took a core from the drain it measures; a line sent a
                // little late (parking's granularity) carries its own send time, so the latency stays exact
                long wait = t0 + TimeUnit.SECONDS.toNanos(1) * i / rate - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                send(producer, "l " + System.currentTimeMillis() + " " + i);
            }
            producer.flush();
            awaitCount(count, expected + total, 300);
            List<Long> latencies = new ArrayList<>(total);
            try (BufferedReader reader = Files.newBufferedReader(rsyslog.output(), StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    int at = line.indexOf(" - - l ");
                    if (at > 0) {
                        String[] parts = line.substring(at + 7).split(" ");
                        latencies.add(receivedAt(line) - Long.parseLong(parts[0]));
                    }
                }
            }
            Collections.sort(latencies);
            System.out.printf("drain bench: %d lines at %d lines/s: latency p50 %d ms, p99 %d ms, max %d ms%n",
                    latencies.size(), rate, latencies.get(latencies.size() / 2),
                    latencies.get((int) (latencies.size() * 0.99)), latencies.get(latencies.size() - 1));
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String message) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(fixtureTopic, TOKEN.getBytes(StandardCharsets.UTF_8),
                DrainFixture.line(TOKEN, message + " checkpoint complete: wrote 42 buffers (0.3%); 0 WAL file(s)")
                        .getBytes(StandardCharsets.UTF_8));
        record.headers().add(LogHeaders.ADDON_ID, "addon_bench".getBytes(StandardCharsets.UTF_8));
        producer.send(record);
    }

    private static String fixtureTopic;

    private static long receivedAt(String line) {
        return OffsetDateTime.parse(line.substring(0, line.indexOf(' '))).toInstant().toEpochMilli();
    }

    /** The two throughput phases, each returning lines/s: {@code expected} is rsyslog's line count once done. */
    private record Phases(DrainFixture fixture, Rsyslog rsyslog, KafkaProducer<byte[], byte[]> producer,
                          LineCount count, DrainDefinition drain) {

        /** A backlog produced at once while the drain is live: from the first send to rsyslog's last receive. */
        double live(String prefix, int lines, long expected) throws Exception {
            Cpu cpu = cpu();
            long start = System.currentTimeMillis();
            for (int i = 0; i < lines; i++) {
                send(producer, prefix + " " + i);
            }
            producer.flush();
            long produced = System.currentTimeMillis();
            awaitCount(count, expected, 600);
            long last = receivedAt(lastLine(rsyslog.output()));
            System.out.printf("drain bench: (%s: %d lines produced in %d ms, %.0f lines/s)%n", prefix, lines,
                    produced - start, lines * 1000.0 / (produced - start));
            cpu.printUntilNow(prefix, lines, cpu());
            return lines * 1000.0 / (last - start);
        }

        /** The backlog produced while the drain is disabled, read back from Kafka once enabled. */
        double catchUp(String prefix, int lines, long expected) throws Exception {
            fixture.put(drain.withEnabled(false, Instant.now()));
            Thread.sleep(1000);
            for (int i = 0; i < lines; i++) {
                send(producer, prefix + " " + i);
            }
            producer.flush();
            Cpu cpu = cpu();
            long enabled = System.currentTimeMillis();
            fixture.put(drain.withEnabled(true, Instant.now()));
            awaitCount(count, expected, 600);
            cpu.printUntilNow(prefix, lines, cpu());
            return lines * 1000.0 / (receivedAt(lastLine(rsyslog.output())) - enabled);
        }

        Cpu cpu() {
            return new Cpu(workerCpuNanos(), ((com.sun.management.OperatingSystemMXBean)
                    ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(), rsyslog.cpuNanos(),
                    System.nanoTime());
        }
    }

    /** CPU used so far: by the worker's threads (by group), this whole JVM (broker, producer, worker) and rsyslog. */
    private record Cpu(Map<String, Long> worker, long jvm, long rsyslog, long at) {

        void printUntilNow(String prefix, int lines, Cpu now) {
            Map<String, Long> used = new TreeMap<>();
            now.worker.forEach((group, nanos) -> used.put(group, nanos - worker.getOrDefault(group, 0L)));
            long nanos = used.values().stream().mapToLong(Long::longValue).sum();
            StringBuilder groups = new StringBuilder();
            used.forEach((group, n) -> groups.append(String.format(", %s %.2f", group, n / 1e9)));
            System.out.printf("drain bench: (%s: the worker's threads used %.2f CPU-s%s; %.2f µs per line: %.0f lines/s "
                    + "per core; over %.2f s, the JVM (broker, producer, worker) used %.2f CPU-s and rsyslog %.2f)%n",
                    prefix, nanos / 1e9, groups, nanos / 1e3 / lines, lines * 1e9 / nanos, (now.at - at) / 1e9,
                    (now.jvm - jvm) / 1e9, (now.rsyslog - rsyslog) / 1e9);
        }
    }

    /**
     * CPU time so far of the drain worker's threads: its log tap, history readers, cursor follower and producer, and
     * the event loops (the fixture's ingest is idle meanwhile: lines go straight to Kafka). The broker, this test's
     * producer and rsyslog share the box's two cores with it, so this says what the worker would do on a core of its
     * own.
     */
    private static Map<String, Long> workerCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new TreeMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            String name = info == null ? "" : info.getThreadName();
            if (name.startsWith("drain-") || name.startsWith("history-reader") || name.startsWith("vert.x-eventloop")
                    || name.endsWith("| log-drain-cursors")) {
                byGroup.merge(name.replaceAll("-[0-9]+$", ""), Math.max(0, threads.getThreadCpuTime(info.getThreadId())),
                        Long::sum);
            }
        }
        return byGroup;
    }

    /**
     * Counts the lines of rsyslog's output as it grows, reading only the bytes added since the last call (counting
     * the whole file each time took one of the box's two cores from what it measures).
     */
    private static final class LineCount {
        private final Path file;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        private long position;
        private long lines;

        LineCount(Path file) {
            this.file = file;
        }

        long now() {
            if (!Files.exists(file)) {
                return 0;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                for (int read = channel.read(buffer, position); read > 0; read = channel.read(buffer, position)) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        lines += buffer.get() == '\n' ? 1 : 0;
                    }
                    position += read;
                    buffer.clear();
                }
                return lines;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The file's last line (its lines are far shorter than 64 KiB). */
    private static String lastLine(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(channel.size(), 1 << 16));
            channel.read(tail, channel.size() - tail.capacity());
            String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8).stripTrailing();
            return text.substring(text.lastIndexOf('\n') + 1);
        }
    }

    private static void awaitCount(LineCount count, long n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (count.now() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + count.now() + " of " + n + " lines in rsyslog");
            }
            Thread.sleep(200);
        }
    }
}
