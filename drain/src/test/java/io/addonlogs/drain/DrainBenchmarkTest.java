package io.addonlogs.drain;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
 * its send time, against rsyslog's receive time. {@code drain.bench.batch} sets the worker's
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
             Rsyslog rsyslog = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.resolve("127.0.0.1", 0), null, true);
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
            Await.until(() -> count(rsyslog) == 1, "warm-up line");

            // throughput: a backlog produced at once
            long start = System.currentTimeMillis();
            for (int i = 0; i < backlog; i++) {
                send(producer, "b " + i);
            }
            producer.flush();
            long produced = System.currentTimeMillis();
            awaitCount(rsyslog, 1 + backlog, 600);
            List<String> lines = Files.readAllLines(rsyslog.output(), StandardCharsets.UTF_8);
            long last = receivedAt(lines.get(lines.size() - 1));
            System.out.printf("drain bench: %d lines produced in %d ms (%.0f lines/s); delivered to rsyslog in %d ms: "
                    + "%.0f lines/s%n", backlog, produced - start, backlog * 1000.0 / (produced - start),
                    last - start, backlog * 1000.0 / (last - start));

            // catch-up: the same backlog produced while the drain is disabled, read back from Kafka once enabled
            fixture.put(drain.withEnabled(false, java.time.Instant.now()));
            Thread.sleep(1000);
            for (int i = 0; i < backlog; i++) {
                send(producer, "c " + i);
            }
            producer.flush();
            long enabled = System.currentTimeMillis();
            fixture.put(drain.withEnabled(true, java.time.Instant.now()));
            awaitCount(rsyslog, 1 + 2L * backlog, 600);
            lines = Files.readAllLines(rsyslog.output(), StandardCharsets.UTF_8);
            last = receivedAt(lines.get(lines.size() - 1));
            System.out.printf("drain bench: catch-up of %d lines from Kafka in %d ms: %.0f lines/s%n", backlog,
                    last - enabled, backlog * 1000.0 / (last - enabled));

            // latency at a steady rate
            int total = rate * 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = t0 + TimeUnit.SECONDS.toNanos(1) * i / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                send(producer, "l " + System.currentTimeMillis() + " " + i);
            }
            producer.flush();
            awaitCount(rsyslog, 1 + 2L * backlog + total, 300);
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

    private static long count(Rsyslog rsyslog) {
        try (var lines = Files.lines(rsyslog.output(), StandardCharsets.UTF_8)) {
            return lines.count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void awaitCount(Rsyslog rsyslog, long n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (count(rsyslog) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + count(rsyslog) + " of " + n + " lines in rsyslog");
            }
            Thread.sleep(200);
        }
    }
}
