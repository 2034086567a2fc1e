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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
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
 * <p>{@link #startTemporaryWithSaslSsl()} adds a client listener as a secured production Kafka has one (Strimzi's
 * TLS listener with SCRAM-SHA-512 authentication): SASL_SSL, SCRAM-SHA-512, a certificate from a throw-away CA
 * ({@link TestCertificates}). The plaintext listener stays, for the harness itself ({@link #bootstrapServers()}:
 * creating topics and SCRAM users), as does the plaintext controller listener.
 */
public final class EmbeddedKafkaBroker implements KafkaCluster {

    private static final String CONTROLLER = "CONTROLLER";
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final SaslSsl saslSsl;
    private final DataDirLock lock;
    private KafkaRaftServer server;

    /** The SASL_SSL client listener: its port and the certificates of its TLS (in a directory of their own). */
    private record SaslSsl(int port, Path dir, TestCertificates certificates) {
    }

    /** Takes the data directory ({@link DataDirLock.DataDirInUseException} if another broker has it) until close. */
    private EmbeddedKafkaBroker(Path dataDir, boolean deleteOnClose, int brokerPort, Map<String, String> overrides,
                                SaslSsl saslSsl) {
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
        this.saslSsl = saslSsl;
    }

    /** A broker on a random port in a fresh temporary directory that {@link #close()} removes. */
    public static EmbeddedKafkaBroker startTemporary() {
        return startTemporary(Map.of());
    }

    /** As {@link #startTemporary()}, with broker config overrides. */
    public static EmbeddedKafkaBroker startTemporary(Map<String, String> overrides) {
        try {
            Path dir = Files.createTempDirectory("embedded-kafka-");
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, true, 0, overrides, null);
            broker.start();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #startTemporary()}, plus a SASL_SSL client listener ({@link #saslSslBootstrapServers()}):
     * SCRAM-SHA-512 users ({@link #createScramUser}), TLS with a test CA ({@link #certificates()}). Needs
     * {@code bcpkix-jdk18on} on the class path.
     */
    public static EmbeddedKafkaBroker startTemporaryWithSaslSsl() {
        try {
            Path dir = Files.createTempDirectory("embedded-kafka-");
            Path tls = Files.createTempDirectory("embedded-kafka-tls-");
            SaslSsl saslSsl = new SaslSsl(FreePorts.next(), tls, TestCertificates.create(tls));
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dir, true, 0, Map.of(), saslSsl);
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
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, false, port, overrides, null);
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

    /** The SASL_SSL listener (only with {@link #startTemporaryWithSaslSsl()}). */
    public String saslSslBootstrapServers() {
        return "localhost:" + secured().port();
    }

    /** The test CA's truststore for clients of the SASL_SSL listener, and the broker's keystore. */
    public TestCertificates certificates() {
        return secured().certificates();
    }

    /**
     * Creates (or changes the password of) a SCRAM-SHA-512 user of the SASL_SSL listener, through the plaintext
     * listener, and returns once the broker has it.
     */
    public void createScramUser(String user, String password) {
        secured();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)))
                    .all().get(30, TimeUnit.SECONDS);
            // the broker answers from its copy of the metadata: once it describes the user, it authenticates it
            Await.until(() -> knows(admin, user), "SCRAM user " + user + " known to the broker");
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating SCRAM user " + user, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating SCRAM user " + user, e);
        }
    }

    private static boolean knows(Admin admin, String user) {
        try {
            return !admin.describeUserScramCredentials(List.of(user)).all().get(30, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException e) {
            return false; // ResourceNotFoundException until it has the user
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot describe SCRAM user " + user, e);
        }
    }

    private SaslSsl secured() {
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
                deleteRecursively(saslSsl.dir());
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
            p.putAll(saslSslListener(saslSsl.certificates()));
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

    /** SCRAM-SHA-512 over TLS on the SASL_SSL listener; the users' credentials live in the cluster metadata. */
    private static Map<String, String> saslSslListener(TestCertificates certificates) {
        String listener = "listener.name.sasl_ssl.";
        return Map.of(
                "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                listener + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                listener + "ssl.keystore.location", certificates.keystore().toAbsolutePath().toString(),
                listener + "ssl.keystore.password", certificates.password(),
                listener + "ssl.key.password", certificates.password(),
                listener + "ssl.keystore.type", "PKCS12");
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
