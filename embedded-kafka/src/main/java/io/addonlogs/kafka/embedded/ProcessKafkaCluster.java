package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of {@code n} KRaft nodes, each broker and controller (a three-voter quorum for three nodes), each in
 * its own JVM ({@link KafkaNodeMain}): a node can be killed with SIGKILL, as a crash or an OOM kill would end it,
 * and started again on its ports with its data. What {@link MultiBrokerKafka} cannot do: its brokers share this JVM
 * and stop cleanly. Every node takes the settings {@link EmbeddedKafkaBroker} uses, with internal topics at RF 3.
 */
public final class ProcessKafkaCluster implements KafkaCluster {

    private static final String CONTROLLER = "CONTROLLER";

    private final Path dir;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();

    private ProcessKafkaCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts nodes 1..{@code n} and returns once every one is a live broker. */
    public static ProcessKafkaCluster start(int n, Map<String, String> overrides) {
        ProcessKafkaCluster cluster;
        try {
            cluster = new ProcessKafkaCluster(Files.createTempDirectory("process-kafka-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
            for (int id = 1; id <= n; id++) {
                cluster.brokerPorts.put(id, FreePorts.next());
                controllerPorts.put(id, FreePorts.next());
            }
            String voters = controllerPorts.entrySet().stream().map(e -> e.getKey() + "@localhost:" + e.getValue())
                    .collect(Collectors.joining(","));
            for (int id = 1; id <= n; id++) {
                cluster.writeProperties(id, controllerPorts.get(id), voters, overrides);
            }
            for (int id = 1; id <= n; id++) {
                cluster.launch(id);
            }
            cluster.awaitLive(cluster.brokerPorts.keySet());
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    @Override
    public String bootstrapServers() {
        return brokerPorts.values().stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
    }

    public Set<Integer> nodeIds() {
        return new TreeSet<>(brokerPorts.keySet());
    }

    /** SIGKILL: the node ends at once, without a controlled shutdown; its data stays for {@link #restart(int)}. */
    public synchronized void kill(int id) {
        Process process = nodes.remove(id);
        if (process == null) {
            throw new IllegalStateException("node " + id + " is not running");
        }
        process.destroyForcibly(); // SIGKILL on Unix
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + id, e);
        }
    }

    /** Starts a killed node again and returns once the cluster lists it as a live broker. */
    public void restart(int id) {
        launch(id);
        awaitLive(Set.of(id));
    }

    /** The node that holds the active controller (the quorum's leader). */
    public int activeController() {
        return admin(admin -> admin.describeMetadataQuorum().quorumInfo().get(10, TimeUnit.SECONDS).leaderId());
    }

    /** The leader of each partition of {@code topic} (-1 while it has none). */
    public Map<Integer, Integer> leaders(String topic) {
        return partitions(topic).stream().collect(Collectors.toMap(TopicPartitionInfo::partition,
                p -> p.leader() == null ? -1 : p.leader().id()));
    }

    /** Whether every partition of {@code topics} has all its replicas in sync again (after a node came back). */
    public boolean fullyReplicated(Collection<String> topics) {
        return topics.stream().flatMap(t -> partitions(t).stream()).allMatch(p -> p.isr().size() == p.replicas().size());
    }

    /** Kills whatever runs and deletes the data. */
    @Override
    public synchronized void close() {
        for (Process process : nodes.values()) {
            process.destroyForcibly();
        }
        for (Process process : nodes.values()) {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        nodes.clear();
        EmbeddedKafkaBroker.deleteRecursively(dir);
    }

    /** What node {@code id} printed, for failure messages. */
    public String output(int id) {
        try {
            return Files.readString(log(id), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log(id) + ": " + e + ")";
        }
    }

    private void writeProperties(int id, int controllerPort, String voters, Map<String, String> overrides) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(id));
        p.put("controller.quorum.voters", voters);
        p.put("controller.listener.names", CONTROLLER);
        p.put("listeners", "PLAINTEXT://localhost:" + brokerPorts.get(id) + "," + CONTROLLER + "://localhost:"
                + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPorts.get(id));
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.resolve("node-" + id).toAbsolutePath().toString());
        // the same small-footprint settings as EmbeddedKafkaBroker; internal topics keep Kafka's RF 3 defaults
        p.put("offsets.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("auto.create.topics.enable", "false");
        p.putAll(overrides);
        try (OutputStream out = Files.newOutputStream(properties(id))) {
            p.store(out, "node " + id + " of " + dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void launch(int id) {
        if (nodes.containsKey(id)) {
            throw new IllegalStateException("node " + id + " is running");
        }
        try {
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    KafkaNodeMain.class.getName(), properties(id).toString(), clusterId)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(id).toFile()))
                    .start();
            nodes.put(id, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Kafka node " + id, e);
        }
    }

    private void awaitLive(Set<Integer> ids) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            synchronized (this) {
                for (int id : ids) {
                    Process process = nodes.get(id);
                    if (process == null || !process.isAlive()) {
                        throw new IllegalStateException("Kafka node " + id + " ended:\n" + output(id));
                    }
                }
            }
            try {
                Set<Integer> live = admin(admin -> admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream()
                        .map(Node::id).collect(Collectors.toSet()));
                if (live.containsAll(ids)) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // no quorum yet: ask again
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Kafka nodes " + ids, e);
            }
        }
        throw new IllegalStateException("Kafka nodes " + ids + " not live within 90 s");
    }

    private List<TopicPartitionInfo> partitions(String topic) {
        return admin(admin -> {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(topic);
            return description.partitions();
        });
    }

    private interface AdminCall<T> {
        T call(Admin admin) throws Exception;
    }

    private <T> T admin(AdminCall<T> call) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000))) {
            return call.call(admin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka admin call failed: " + e.getCause(), e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka admin call failed", e);
        }
    }

    private Path properties(int id) {
        return dir.resolve("node-" + id + ".properties");
    }

    private Path log(int id) {
        return dir.resolve("node-" + id + ".log");
    }
}
