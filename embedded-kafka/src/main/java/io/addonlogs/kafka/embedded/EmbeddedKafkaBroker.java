package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A single-node KRaft Kafka (broker and controller in one process) running inside this JVM.
 *
 * <p>The data directory is formatted on first start and reused afterwards, so the cluster id and the data survive
 * a restart. {@link #stop()} and {@link #start()} may be called repeatedly: tests use that to take the broker away
 * under a running service; the same ports are reused so clients reconnect by themselves.
 *
 * <p>{@link #startTemporaryWithSaslSsl()} adds a client listener as a secured production Kafka has one
 * ({@link SaslSslListener}). The plaintext listener stays, for the harness itself ({@link #bootstrapServers()}:
 * creating topics, users and ACLs), as does the plaintext controller listener.
 */
public final class EmbeddedKafkaBroker implements KafkaCluster {

    private static final String CONTROLLER = "CONTROLLER";
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final SaslSslListener saslSsl;
    private final DataDirLock lock;
    private KafkaRaftServer server;

    /** Takes the data directory ({@link DataDirLock.DataDirInUseException} if another broker has it) until close. */
    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int brokerPort, Map<String, String> overrides,
                                boolean saslSsl) {
        try {
            this.lock = DataDirLock.acquire(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = dataDir;
        this.deleteOnClose = deleteOnClose;
        this.brokerPort = brokerPort == 0 ? FreePorts.next() : brokerPort;
        this.controllerPort = FreePorts.next();
        this.overrides = Map.copyOf(overrides);
        this.saslSsl = saslSsl ? SaslSslListener.create(bootstrapServers()) : null;
    }

    /** A broker on a random port in a fresh temporary directory that {@link #close()} removes. */
    public static EmbeddedKafkaBroker startTemporary() {
        return startTemporary(Map.of());
    }

    /** As {@link #startTemporary()}, with broker config overrides. */
    public static EmbeddedKafkaBroker startTemporary(Map<String, String> overrides) {
        try {
            Path dir = Files.createTempDirectory("embedded-kafka-");
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, true, 0, overrides, false);
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #startTemporary()}, plus a SASL_SSL client listener with SCRAM-SHA-512 users and ACLs enforced
     * ({@link #saslSsl()}). Needs {@code bcpkix-jdk18on} on the class path.
     */
    public static EmbeddedKafkaBroker startTemporaryWithSaslSsl() {
        try {
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(Files.createTempDirectory("embedded-kafka-"), true, 0,
                    Map.of(), true);
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A broker whose data lives in {@code dataDir} and is kept; {@code port} 0 picks a free one. Fails with
     * {@link DataDirLock.DataDirInUseException} while another broker uses the directory.
     */
    public static EmbeddedKafkaBroker startPersistent(Path dataDir, int port, Map<String, String> overrides) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, false, port, overrides, false);
        try {
            broker.start();
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    @Override
    public String bootstrapServers() {
        return "localhost:" + brokerPort;
    }

    public int port() {
        return brokerPort;
    }

    /** The SASL_SSL client listener (only with {@link #startTemporaryWithSaslSsl()}). */
    public SaslSslListener saslSsl() {
        if (saslSsl == null) {
            throw new IllegalStateException("this broker has no SASL_SSL listener (startTemporaryWithSaslSsl)");
        }
        return saslSsl;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The cluster id stored in the data directory (stable across restarts). */
    public String clusterId() {
        return readClusterId().orElseThrow();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Starts the broker (formatting the data directory on the first start) and returns once it serves requests. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        KafkaConfig config = new KafkaConfig(brokerProperties(), false);
        formatIfNew();
        KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
    }

    /** Stops the broker and waits for it; the data stays for a later {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
    }

    /** Stops the broker and lets the data directory go (deleting it if temporary). */
    @Override
    public void close() {
        stop();
        lock.close();
        if (deleteOnClose) {
            deleteRecursively(dataDir);
            if (saslSsl != null) {
                saslSsl.deleteCertificates();
            }
        }
    }

    private Properties brokerProperties() {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
        p.put("controller.listener.names", CONTROLLER);
        String clientListeners = "PLAINTEXT://localhost:" + brokerPort
                + (saslSsl == null ? "" : ",SASL_SSL://localhost:" + saslSsl.port());
        p.put("listeners", clientListeners + "," + CONTROLLER + "://localhost:" + controllerPort);
        p.put("advertised.listeners", clientListeners);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL," + CONTROLLER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        if (saslSsl != null) {
            p.putAll(saslSsl.brokerProperties());
        }
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        // One node: internal topics cannot have more replicas than that.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Consumers of a fresh group start at once instead of waiting 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB dedupe buffer is sized for production compaction; a few MiB serve the token topic.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        // Topics are created on purpose (as an operator would), never by a typo in a client.
        p.put("auto.create.topics.enable", "false");
        p.putAll(overrides);
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    private void formatIfNew() {
        if (readClusterId().isPresent()) {
            return;
        }
        String dir = dataDir.toAbsolutePath().toString();
        try {
            Files.createDirectories(dataDir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(Uuid.randomUuid().toString())
                    .setNodeId(NODE_ID)
                    .setControllerListenerName(CONTROLLER)
                    .setMetadataLogDirectory(dir)
                    .setDirectories(List.of(dir))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dir, e);
        }
    }

    private Optional<String> readClusterId() {
        Path meta = dataDir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(meta)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.ofNullable(props.getProperty("cluster.id"));
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
