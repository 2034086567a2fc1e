package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.http.ListenPort;

/**
 * What an operator runs, on loopback: one Kafka (in this JVM) with the three topics, {@code instances} ingest and
 * {@code instances} consumer JVMs started from their jars, and Debian's haproxy with the shipped haproxy.cfg
 * ({@link HaproxyOnLoopback}) in front of them. Providers and viewers go through the proxy only.
 */
final class ProxiedStack implements AutoCloseable {

    static final String ADMIN_TOKEN = "proxied-stack-admin-token-0123456789abcdef";
    static final String JWT_SECRET = "proxied-stack-viewer-secret-0123456789abcdef";
    static final String LOGS_TOPIC = "logs";

    final EmbeddedKafkaBroker kafka;
    final List<ServiceInstance> ingests = new ArrayList<>();
    final List<ServiceInstance> consumers = new ArrayList<>();
    private final Map<Integer, Integer> listen = new HashMap<>();
    private ChildProcess haproxy;

    /** Starts everything; returns once the proxy forwards to every instance. */
    ProxiedStack(Path dir, int instances, int partitions, Map<String, String> consumerSettings) throws IOException {
        Path binary = MonitoringTools.require("haproxy", "haproxy");
        kafka = EmbeddedKafkaBroker.startTemporary();
        try {
            kafka.createTopic(LOGS_TOPIC, partitions);
            // the consumers' history index: LOGS_INDEX_TOPIC's default, as many partitions as the logs
            kafka.createTopic(LOGS_TOPIC + "-index", partitions);
            kafka.createTopic("log-tokens", 1, (short) 1, Map.of("cleanup.policy", "compact"));
            Map<String, String> common = Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "LOGS_TOPIC", LOGS_TOPIC, "TOKENS_TOPIC", "log-tokens");
            Map<String, String> ingest = new HashMap<>(common);
            ingest.putAll(Map.of("INGEST_ADMIN_TOKEN", ADMIN_TOKEN, "INGEST_EVENT_LOOPS", "1",
                    "INGEST_KAFKA_TIMEOUT_MS", "5000", "INGEST_RETRY_AFTER_SECONDS", "1"));
            Map<String, String> consumer = new HashMap<>(common);
            // as docker-compose.yml runs them behind the same haproxy.cfg, which routes viewers by partition
            consumer.putAll(Map.of("VIEWER_JWT_SECRET", JWT_SECRET, "CONSUMER_EVENT_LOOPS", "1",
                    "CONSUMER_ROUTE_BY_PARTITION", "true"));
            consumer.putAll(consumerSettings);
            for (int i = 1; i <= instances; i++) {
                ingests.add(new ServiceInstance(ServiceInstance.Kind.INGEST, "ingest" + i, ingest, dir));
                consumers.add(new ServiceInstance(ServiceInstance.Kind.CONSUMER, "consumer" + i, consumer, dir));
            }
            for (ServiceInstance instance : all()) {
                instance.start();
            }
            for (int lbPort : List.of(8080, 8081, 8090, 8404)) {
                listen.put(lbPort, ListenPort.free("127.0.0.1"));
            }
            Map<Integer, List<Integer>> ports = Map.of(
                    8080, ingests.stream().map(s -> s.port).toList(),
                    8081, ingests.stream().map(s -> s.managementPort).toList(),
                    8090, consumers.stream().map(s -> s.port).toList(),
                    8091, consumers.stream().map(s -> s.managementPort).toList());
            Path config = dir.resolve("haproxy.cfg");
            Files.writeString(config, HaproxyOnLoopback.adapt(Files.readString(HaproxyOnLoopback.SHIPPED), ports, listen));
            haproxy = new ChildProcess(List.of(binary.toString(), "-db", "-f", config.toString()),
                    dir.resolve("haproxy.log"));
            ServiceInstance.awaitLong(() -> {
                assertTrue(haproxy.isAlive(), haproxy.output());
                return activeServers("ingest") == instances && activeServers("consumer") == instances;
            }, "haproxy sees every instance ready");
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * An empty {@code target/<name>} for the instances' and haproxy's logs, kept after the test (a failure's
     * evidence) and replaced by the next run.
     */
    static Path freshDir(String name) throws IOException {
        Path dir = Path.of("target", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return Files.createDirectories(dir);
    }

    List<ServiceInstance> all() {
        List<ServiceInstance> all = new ArrayList<>(ingests);
        all.addAll(consumers);
        return all;
    }

    /** The proxy's ingest frontend. */
    String ingestUrl() {
        return "http://127.0.0.1:" + listen.get(8080);
    }

    /** The proxy's viewer frontend. */
    String consumerUrl() {
        return "http://127.0.0.1:" + listen.get(8090);
    }

    /** The proxy's admin frontend. */
    AdminTokens admin() {
        return new AdminTokens("http://127.0.0.1:" + listen.get(8081), ADMIN_TOKEN);
    }

    String viewerToken(String ownerId) {
        return ViewerTokens.mint(JWT_SECRET, ownerId, Duration.ofHours(1));
    }

    /** Servers of a backend that haproxy's health checks count as up (its exporter's gauge). */
    int activeServers(String backend) {
        try {
            return (int) ServiceInstance.metric("http://127.0.0.1:" + listen.get(8404),
                    "haproxy_backend_active_servers{proxy=\"" + backend + "\"}");
        } catch (AssertionError notAnsweringYet) {
            return -1;
        }
    }

    /** What haproxy logged so far (one line per request). */
    String haproxyLog() {
        return haproxy.output();
    }

    /** The add-ons of all stored records, by token, with each record reduced to its line id. */
    Map<String, List<String>> storedIds() {
        Map<String, List<String>> ids = new HashMap<>();
        storedValues().forEach((token, values) -> ids.put(token, values.stream().map(ProxyLoad::idOf).toList()));
        return ids;
    }

    /** Every record of the logs topic by key (log token), in offset order: exactly what Kafka holds. */
    Map<String, List<String>> storedValues() {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        Map<String, List<String>> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(LOGS_TOPIC).stream()
                    .map(p -> new TopicPartition(LOGS_TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read the logs topic to its end");
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    out.computeIfAbsent(new String(record.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
                            .add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    /** Bytes the logs topic holds, all partitions (the leader's log sizes): what a reader of all of it fetches. */
    long logsTopicBytes() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            long bytes = 0;
            for (LogDirDescription dir : admin.describeLogDirs(List.of(1)).allDescriptions().get(30, TimeUnit.SECONDS)
                    .get(1).values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                    if (replica.getKey().topic().equals(LOGS_TOPIC)) {
                        bytes += replica.getValue().size();
                    }
                }
            }
            return bytes;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("cannot describe the log directories", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (haproxy != null) {
            haproxy.close();
        }
        for (ServiceInstance instance : all()) {
            instance.close();
        }
        kafka.close();
    }
}
