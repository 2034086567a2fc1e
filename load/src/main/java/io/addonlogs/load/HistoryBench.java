package io.addonlogs.load;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.TailService;
import io.addonlogs.deploy.ViewerTokens;
import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.runtime.ServiceRuntime;

/**
 * The history benchmark, in one command:
 * {@code java [-Dbatch.bytes=N] -cp load/target/log-load.jar io.addonlogs.load.HistoryBench [gigabytes] [quietLines]
 * [busyLimit]}.
 * Starts a Kafka broker and a consumer in this JVM; writes {@code gigabytes} of a busy add-on's lines (200 varied
 * bytes, as the ingest stores them: keyed by token, {@code addon-id} header) with {@code quietLines} lines of a quiet
 * add-on spread among them on the same partition; waits for the index to cover them, reporting the indexer's CPU per
 * line and the index's size against the log's. Then, with the index and with a consumer reading without it: the
 * quiet add-on's whole history ({@code since} before both, {@code until} now), its last 200 lines ({@code tail=200}),
 * and the busy add-on's first {@code busyLimit} lines; time to the first line and to the end, lines/s and the
 * MB/s of the stored lines they are.
 */
public final class HistoryBench {

    private static final String SECRET = "history-bench-secret-0123456789abcdef";
    private static final String OWNER = "orga_bench";
    private static final int PARTITIONS = 3;
    private static final String[] WORDS = ("connection received authorized checkpoint starting complete duration "
            + "statement select insert update delete from where table index vacuum autovacuum analyze client "
            + "backend process terminated database system ready accept connections replication slot wal").split(" ");

    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        double gigabytes = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int quietLines = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int busyLimit = args.length > 2 ? Integer.parseInt(args[2]) : 2_000_000;
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.startTemporary()) {
            kafka.createTopic("logs", PARTITIONS);
            kafka.createTopic("logs-index", PARTITIONS);
            kafka.createTopic("log-tokens", 1, (short) 1, Map.of("cleanup.policy", "compact"));
            String busy = "lt_bench_busy_0000000000000000000000";
            String quiet = neighbourOf(busy);
            int partition = LogPartitions.of(busy.getBytes(StandardCharsets.UTF_8), PARTITIONS);
            register(kafka, busy, "addon_busy");
            register(kafka, quiet, "addon_quiet");

            ServiceRuntime runtime = ServiceRuntime.create();
            TailService consumer = start(runtime, kafka, Map.of());
            long indexerCpuBefore = indexerCpuNanos();
            Instant before = Instant.now().minusSeconds(1);
            long[] written = produce(kafka, busy, quiet, (long) (gigabytes * (1L << 30)), quietLines);
            long end = endOffset(kafka, partition);
            long waitStart = System.nanoTime();
            while (consumer.indexer().indexedUpTo(partition) < end) {
                Thread.sleep(200);
            }
            long indexerCpu = indexerCpuNanos() - indexerCpuBefore;
            System.out.printf("wrote %,d busy lines (%.2f GB of text) and %,d quiet lines to partition %d; the index "
                            + "caught up %.1f s after the last write%n", written[0], written[1] / 1e9, quietLines,
                    partition, (System.nanoTime() - waitStart) / 1e9);
            Map<String, Long> sizes = topicSizes(kafka);
            System.out.printf("indexer CPU: %.1f s for %,d lines = %.3f us per line; index %,d bytes = %.4f %% of the "
                            + "log's %,d bytes on disk%n", indexerCpu / 1e9, end, indexerCpu / 1e3 / end,
                    sizes.get("logs-index"), 100.0 * sizes.get("logs-index") / sizes.get("logs"), sizes.get("logs"));

            TailService unindexed = start(ServiceRuntime.create(), kafka, Map.of("LOGS_INDEX_TOPIC", "no-index"));
            String since = URLEncoder.encode(before.toString(), StandardCharsets.UTF_8);
            String until = URLEncoder.encode(Instant.now().toString(), StandardCharsets.UTF_8);
            System.out.println();
            double lineBytes = (double) written[1] / written[0];
            System.out.println("| query | index | lines | first line | all lines | lines/s | MB/s of stored lines "
                    + "| records fetched | lines taken from the index | CPU µs per line: " + String.join(" / ",
                    THREAD_GROUPS.keySet()) + " |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            // the indexed consumer twice: its first round meets fresh connections and a cold history pool
            List<TailService> rounds = List.of(consumer, consumer, unindexed);
            for (int round = 0; round < rounds.size(); round++) {
                TailService reader = rounds.get(round);
                String label = reader != consumer ? "no (scan)" : round == 0 ? "yes" : "yes (again)";
                query(reader, "addon_quiet", "since=" + since + "&until=" + until, "quiet: since before all, until now",
                        label, lineBytes);
                query(reader, "addon_quiet", "tail=200&until=" + until, "quiet: tail=200", label, lineBytes);
                query(reader, "addon_busy", "since=" + since + "&limit=" + busyLimit, "busy: first " + busyLimit
                        + " lines", label, lineBytes);
            }
            unindexed.stop().await();
            consumer.stop().await();
            runtime.vertx().close().await();
        }
        System.exit(0);
    }

    private static TailService start(ServiceRuntime runtime, EmbeddedKafkaBroker kafka, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LOGS_TOPIC", "logs", "TOKENS_TOPIC", "log-tokens", "CONSUMER_HOST", "127.0.0.1",
                "CONSUMER_PORT", "0", "CONSUMER_MANAGEMENT_PORT", "0", "VIEWER_JWT_SECRET", SECRET));
        // the consumer's tuning settings from this environment, to compare variants (SSE_VIEWER_QUEUE_BYTES, ...)
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("SSE_") || name.startsWith("CONSUMER_HISTORY") || name.startsWith("CONSUMER_EVENT")) {
                env.put(name, value);
            }
        });
        env.putAll(extra);
        TailService service = TailService.start(runtime.vertx(), runtime.registry(), TailConfig.from(env)).await();
        while (!service.ready()) {
            sleep(50);
        }
        return service;
    }

    /** A token whose lines go to the same partition as {@code token}'s. */
    private static String neighbourOf(String token) {
        int partition = LogPartitions.of(token.getBytes(StandardCharsets.UTF_8), PARTITIONS);
        for (int i = 0; ; i++) {
            String candidate = String.format("lt_bench_quiet_%021d", i);
            if (LogPartitions.of(candidate.getBytes(StandardCharsets.UTF_8), PARTITIONS) == partition) {
                return candidate;
            }
        }
    }

    private static void register(EmbeddedKafkaBroker kafka, String token, String addonId) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            producer.send(new ProducerRecord<>("log-tokens", token.getBytes(StandardCharsets.UTF_8),
                    TokenRecordJson.toBytes(new TokenRecord(addonId, OWNER, Instant.now())))).get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.LINGER_MS_CONFIG, 20,
                // the ingest's default INGEST_PRODUCER_BATCH_BYTES; -Dbatch.bytes=N to see what a quiet line costs
                // with smaller batches (each scattered line is read with its whole batch)
                ProducerConfig.BATCH_SIZE_CONFIG, Integer.getInteger("batch.bytes", 256 << 10),
                ProducerConfig.ACKS_CONFIG, "1"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writes the lines as the ingest stores them; returns busy lines written and their text bytes. */
    private static long[] produce(EmbeddedKafkaBroker kafka, String busy, String quiet, long bytes, int quietLines)
            throws Exception {
        Random random = new Random(1);
        long busyLines = 0;
        long busyBytes = 0;
        int quietWritten = 0;
        long quietEvery = Math.max(1, bytes / Math.max(1, quietLines));
        long nextQuiet = quietEvery / 2;
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            byte[] busyKey = busy.getBytes(StandardCharsets.UTF_8);
            byte[] busyAddon = "addon_busy".getBytes(StandardCharsets.UTF_8);
            while (busyBytes < bytes) {
                byte[] value = line(random, busy, busyLines).getBytes(StandardCharsets.UTF_8);
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("logs", busyKey, value);
                record.headers().add(LogHeaders.ADDON_ID, busyAddon);
                producer.send(record);
                busyLines++;
                busyBytes += value.length;
                if (busyBytes >= nextQuiet && quietWritten < quietLines) {
                    ProducerRecord<byte[], byte[]> q = new ProducerRecord<>("logs", quiet.getBytes(StandardCharsets.UTF_8),
                            line(random, quiet, quietWritten++).getBytes(StandardCharsets.UTF_8));
                    q.headers().add(LogHeaders.ADDON_ID, "addon_quiet".getBytes(StandardCharsets.UTF_8));
                    producer.send(q);
                    nextQuiet += quietEvery;
                }
                if (busyLines % 5_000_000 == 0) {
                    System.out.printf("  %,d lines, %.2f GB, %.0f MB/s%n", busyLines, busyBytes / 1e9,
                            busyBytes / 1e6 / ((System.nanoTime() - start) / 1e9));
                }
            }
            producer.flush();
        }
        return new long[] {busyLines, busyBytes};
    }

    /** A syslog line of about 200 bytes with varied words, as a provider sends them. */
    private static String line(Random random, String token, long n) {
        StringBuilder message = new StringBuilder("n=").append(n);
        while (message.length() < 120) {
            message.append(' ').append(WORDS[random.nextInt(WORDS.length)]).append(random.nextInt(10_000));
        }
        return "<190>1 2026-11-25T10:11:12.345678Z pg-bench-host " + token + " postgres.7 - - " + message;
    }

    private static long endOffset(EmbeddedKafkaBroker kafka, int partition) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition("logs", partition);
            return consumer.endOffsets(Set.of(tp)).get(tp);
        }
    }

    private static Map<String, Long> topicSizes(EmbeddedKafkaBroker kafka) throws Exception {
        Map<String, Long> sizes = new HashMap<>(Map.of("logs", 0L, "logs-index", 0L));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                dirs.values().forEach(dir -> dir.replicaInfos().forEach((tp, info) ->
                        sizes.computeIfPresent(tp.topic(), (topic, size) -> size + info.size())));
            }
        }
        return sizes;
    }

    /**
     * Where a query's CPU goes, by thread name (everything runs in this JVM): the history reading threads (their
     * Kafka consumers poll on them), the event loops (the SSE writes), this benchmark's client (the JDK HTTP client's
     * threads and the main thread reading the stream), the broker, and the rest (the indexer, the live reader...).
     */
    private static final Map<String, Predicate<String>> THREAD_GROUPS = new LinkedHashMap<>();

    static {
        THREAD_GROUPS.put("readers", name -> name.startsWith("history-reader"));
        THREAD_GROUPS.put("event loops", name -> name.startsWith("vert.x-eventloop"));
        THREAD_GROUPS.put("client", name -> name.startsWith("HttpClient") || name.equals("main"));
        THREAD_GROUPS.put("broker", name -> name.startsWith("data-plane") || name.startsWith("kafka-request")
                || name.startsWith("kafka-network") || name.contains("kafka-log") || name.startsWith("broker-"));
        THREAD_GROUPS.put("other", name -> true);
    }

    /** A live thread's {@link #THREAD_GROUPS} group (the first it matches) and CPU nanoseconds so far. */
    private record ThreadCpu(String group, long nanos) {
    }

    /** The live threads that belong to a group, by thread id. */
    private static Map<Long, ThreadCpu> cpuByThread() {
        Map<Long, ThreadCpu> cpu = new HashMap<>();
        forEachThreadCpu((id, name, nanos) -> THREAD_GROUPS.entrySet().stream().filter(e -> e.getValue().test(name))
                .findFirst().ifPresent(e -> cpu.put(id, new ThreadCpu(e.getKey(), nanos))));
        return cpu;
    }

    /**
     * CPU nanoseconds used since {@code before}, by group: each live thread from its own earlier figure (0 if it is
     * new). A thread that ended in between is not counted (an earlier query's HTTP client threads, say): summing by
     * group instead made such a query's figure negative.
     */
    private static Map<String, Long> cpuUsedSince(Map<Long, ThreadCpu> before) {
        Map<String, Long> used = new HashMap<>();
        THREAD_GROUPS.keySet().forEach(group -> used.put(group, 0L));
        cpuByThread().forEach((id, now) -> used.merge(now.group(),
                now.nanos() - (before.containsKey(id) ? before.get(id).nanos() : 0L), Long::sum));
        return used;
    }

    /** CPU time of the indexer's threads: its polling thread, its producer's and its group heartbeat. */
    private static long indexerCpuNanos() {
        long[] total = {0};
        forEachThreadCpu((id, name, nanos) -> {
            if (name.contains("history-indexer") || name.contains("log-indexer") || name.endsWith("| logs-index")) {
                total[0] += nanos;
            }
        });
        return total[0];
    }

    /** What {@link #forEachThreadCpu} hands over: a live thread's id, name and CPU nanoseconds so far. */
    private interface ThreadCpuSink {
        void accept(long id, String name, long nanos);
    }

    private static void forEachThreadCpu(ThreadCpuSink each) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                each.accept(info.getThreadId(), info.getThreadName(),
                        Math.max(0, threads.getThreadCpuTime(info.getThreadId())));
            }
        }
    }

    /** Runs one tail to its end and prints a row of the table. */
    private static void query(TailService consumer, String addon, String query, String name, String index,
                              double lineBytes) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + consumer.port()
                        + "/v4/logs/organisations/" + OWNER + "/resources/" + addon + "/logs?" + query))
                .header("Authorization", "Bearer " + ViewerTokens.mint(SECRET, OWNER, Duration.ofHours(1))).build();
        Map<Long, ThreadCpu> cpuBefore = cpuByThread();
        long fetchedBefore = consumer.history().recordsRead();
        long keptBefore = consumer.history().keptLinesTaken();
        long start = System.nanoTime();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        long first = -1;
        long lines = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = null;
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                if (l.startsWith("event: ")) {
                    event = l.substring(7);
                } else if (l.startsWith("data: ") && "RESOURCE_LOG".equals(event)) {
                    if (first < 0) {
                        first = System.nanoTime();
                    }
                    lines++;
                } else if (l.startsWith("data: ") && "END_OF_STREAM".equals(event)) {
                    break;
                }
            }
        }
        long all = System.nanoTime() - start;
        double seconds = all / 1e9;
        Map<String, Long> cpuUsed = cpuUsedSince(cpuBefore);
        long perLine = Math.max(1, lines);
        String cpu = THREAD_GROUPS.keySet().stream().map(group -> String.format("%.2f", cpuUsed.get(group) / 1e3 / perLine))
                .collect(Collectors.joining(" / "));
        System.out.printf("| %s | %s | %,d | %s | %.2f s | %,.0f | %.1f | %,d | %,d | %s |%n", name, index, lines,
                first < 0 ? "-" : String.format("%.0f ms", (first - start) / 1e6), seconds, lines / seconds,
                lines * lineBytes / 1e6 / seconds, consumer.history().recordsRead() - fetchedBefore,
                consumer.history().keptLinesTaken() - keptBefore, cpu);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
