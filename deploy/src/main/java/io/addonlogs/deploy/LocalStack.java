package io.addonlogs.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.kafka.KafkaClientSettings;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.TailService;
import io.addonlogs.consumer.dashboard.DashboardRoutes;
import io.addonlogs.drain.DrainConfig;
import io.addonlogs.drain.DrainService;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.DataDirLock;
import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.runtime.ServiceRuntime;
import io.vertx.core.json.JsonObject;

/**
 * {@code java -jar deploy/target/log-collector-local.jar}: an embedded single-node Kafka (data kept under
 * {@code LOCAL_DATA_DIR}, default {@code ./data/kafka}), the topics, the ingest and consumer services, a drain
 * worker, a demo add-on with its log token and a viewer token; prints what to run next. Ctrl-C stops everything in order, flushing what was accepted.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    static final String DEMO_ADDON = "addon_demo";
    static final String DEMO_OWNER = "orga_demo";
    static final String DEMO_NAME = "demo-db";

    private final EmbeddedKafkaBroker kafka;
    private final IngestConfig config;
    private final TailConfig tailConfig;
    private final Map<String, String> serviceEnv;
    private final ServiceRuntime ingestRuntime;
    private final IngestService ingest;
    private ServiceRuntime tailRuntime;
    private TailService tail;
    private ServiceRuntime drainRuntime;
    private DrainService drain;
    private String token;
    private String demoRealId;
    private String viewer;
    private boolean closed;

    private LocalStack(EmbeddedKafkaBroker kafka, Map<String, String> serviceEnv, IngestConfig config, TailConfig tailConfig,
                       ServiceRuntime ingestRuntime, IngestService ingest, ServiceRuntime tailRuntime, TailService tail) {
        this.kafka = kafka;
        this.config = config;
        this.tailConfig = tailConfig;
        this.serviceEnv = Map.copyOf(serviceEnv);
        this.ingestRuntime = ingestRuntime;
        this.ingest = ingest;
        this.tailRuntime = tailRuntime;
        this.tail = tail;
    }

    public static void main(String[] args) throws Exception {
        long startedAt = System.nanoTime();
        LocalStack stack;
        try {
            stack = start(System.getenv());
        } catch (Exception | Error e) {
            // Kafka's threads would keep a half-started JVM alive: say why and leave
            LOG.error("The local stack could not start (is another one running on this data directory or port?)", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
        System.out.println(stack.instructions((System.nanoTime() - startedAt) / 1_000_000));
    }

    /**
     * Starts Kafka, creates the topics, starts both services and provisions the demo add-on; returns once both
     * services are ready. {@code env} holds the services' settings plus {@code LOCAL_DATA_DIR} and
     * {@code LOCAL_KAFKA_PORT}; missing secrets are generated.
     */
    public static LocalStack start(Map<String, String> environment) throws Exception {
        Settings settings = new Settings(environment);
        Path dataDir = Path.of(settings.string("LOCAL_DATA_DIR", "data/kafka"));
        int kafkaPort = settings.port("LOCAL_KAFKA_PORT", 9092);
        EmbeddedKafkaBroker kafka;
        try {
            kafka = EmbeddedKafkaBroker.startPersistent(dataDir, kafkaPort, Map.of());
        } catch (DataDirLock.DataDirInUseException e) {
            throw new IllegalStateException("another local stack is running on " + dataDir.toAbsolutePath()
                    + " (stop it, or set LOCAL_DATA_DIR to another directory)", e);
        }

        Map<String, String> env = new HashMap<>(environment);
        // the services talk to this plaintext broker: Kafka client settings of the shell are not for it
        env.keySet().removeIf(name -> name.startsWith(KafkaClientSettings.PREFIX));
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.putIfAbsent("INGEST_ADMIN_TOKEN", "local-admin-" + UUID.randomUUID());
        env.putIfAbsent("VIEWER_JWT_SECRET", "local-viewer-secret-" + UUID.randomUUID());
        env.putIfAbsent("DRAINS_SECRET_KEY", drainsKey(dataDir));
        // no load balancer to wait for here: Ctrl-C stops at once
        env.putIfAbsent("INGEST_SHUTDOWN_DELAY_MS", "0");
        IngestConfig config = IngestConfig.from(env);
        TailConfig tailConfig = TailConfig.from(env);
        DrainConfig drainConfig = DrainConfig.from(env);
        kafka.createTopic(config.logsTopic(), 3);
        kafka.createTopic(tailConfig.indexTopic(), 3);
        for (String compacted : List.of(config.tokensTopic(), drainConfig.drainsTopic(), drainConfig.cursorsTopic(),
                drainConfig.statusTopic())) {
            kafka.createTopic(compacted, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        }

        ServiceRuntime ingestRuntime = ServiceRuntime.create();
        IngestService ingest = IngestService.start(ingestRuntime.vertx(), ingestRuntime.registry(), config).await();
        ServiceRuntime tailRuntime = ServiceRuntime.create();
        TailService tail = TailService.start(tailRuntime.vertx(), tailRuntime.registry(), tailConfig).await();
        LocalStack stack = new LocalStack(kafka, env, config, tailConfig, ingestRuntime, ingest, tailRuntime, tail);
        try {
            stack.drainRuntime = ServiceRuntime.create();
            stack.drain = DrainService.start(stack.drainRuntime.vertx(), stack.drainRuntime.registry(), drainConfig)
                    .await();
            while (!ingest.ready() || !tail.ready() || !stack.drain.ready()) {
                Thread.sleep(50);
            }
            // reused across restarts (the registry is in Kafka), created on first start
            JsonObject demo = new AdminTokens(stack.ingestManagementUrl(), config.adminToken())
                    .tokenFor(new JsonObject().put("addonId", DEMO_ADDON).put("ownerId", DEMO_OWNER)
                            .put("realId", "postgresql_" + UUID.randomUUID()).put("name", DEMO_NAME));
            stack.token = demo.getString("token");
            stack.demoRealId = demo.getString("realId");
            stack.viewer = ViewerTokens.mint(tailConfig.jwtSecret(), DEMO_OWNER, Duration.ofDays(1));
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * The drains' key: kept beside the Kafka data (drains stored in Kafka stay readable across restarts), made on first
     * start.
     */
    private static String drainsKey(Path dataDir) throws IOException {
        Path file = dataDir.resolve("drains-secret-key");
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
        }
        return Files.readString(file).trim();
    }

    /** Settings for a stack in {@code dataDir} with every port (Kafka and the services) picked free. */
    public static Map<String, String> onFreePorts(Path dataDir) {
        Map<String, String> env = new HashMap<>();
        env.put("LOCAL_DATA_DIR", dataDir.toString());
        for (String port : List.of("LOCAL_KAFKA_PORT", "INGEST_PORT", "INGEST_MANAGEMENT_PORT", "CONSUMER_PORT",
                "CONSUMER_MANAGEMENT_PORT", "DRAIN_MANAGEMENT_PORT")) {
            env.put(port, "0");
        }
        return env;
    }

    public IngestConfig ingestConfig() {
        return config;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String ingestUrl() {
        return "http://localhost:" + ingest.port();
    }

    public String ingestManagementUrl() {
        return "http://localhost:" + ingest.managementPort();
    }

    public String consumerUrl() {
        return "http://localhost:" + tail.port();
    }

    public String drainManagementUrl() {
        return "http://localhost:" + drain.managementPort();
    }

    public String consumerManagementUrl() {
        return "http://localhost:" + tail.managementPort();
    }

    public String viewerJwtSecret() {
        return tailConfig.jwtSecret();
    }

    /** The embedded broker, for tests that take Kafka away and bring it back. */
    EmbeddedKafkaBroker kafka() {
        return kafka;
    }

    /** The demo add-on's real id (as the platform's CLI names it). */
    String demoRealId() {
        return demoRealId;
    }

    /** The demo add-on's log token. */
    String demoLogToken() {
        return token;
    }

    /** Stops the consumer (ending its streams) and starts a new one on the same port, as a redeploy would. */
    synchronized void restartConsumer() {
        int port = tail.port();
        tailRuntime.shutDown(tail::stop);
        Map<String, String> env = new HashMap<>(serviceEnv);
        env.put("CONSUMER_PORT", String.valueOf(port));
        env.put("CONSUMER_MANAGEMENT_PORT", "0");
        tailRuntime = ServiceRuntime.create();
        tail = TailService.start(tailRuntime.vertx(), tailRuntime.registry(), TailConfig.from(env)).await();
    }

    /** Stops the consumer (ending SSE streams), the ingest (finishing requests, flushing), then Kafka. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("Stopping: drain worker, consumer (ending SSE streams), ingest (finishing requests, flushing), then Kafka");
        if (drain != null) {
            drainRuntime.shutDown(drain::stop);
        }
        tailRuntime.shutDown(tail::stop);
        ingestRuntime.shutDown(ingest::stop);
        kafka.close();
    }

    /** A logplex body with one frame, nil timestamp (the receive time stands), ready for curl. */
    static String demoBody(String token, String message) {
        String msg = "<190>1 - demo-host " + token + " demo.1 - - " + message;
        return msg.getBytes(StandardCharsets.UTF_8).length + " " + msg;
    }

    private String dashboardUrl() {
        return "http://localhost:" + tail.port() + DashboardRoutes.PATH + "?owner=" + DEMO_OWNER + "&addon=" + DEMO_ADDON
                + "#token=" + viewer;
    }

    /** A {@code clever} command line against this stack, with the demo viewer token as the CLI's credentials. */
    String cliCommand(String arguments) {
        return "API_HOST=http://localhost:" + tail.port() + " CLEVER_TOKEN=" + viewer
                + " CLEVER_SECRET=unused npx --yes -p node@22 -p clever-tools@4 clever " + arguments;
    }

    /** What the launcher prints: where everything is and commands that work as printed. */
    String instructions(long startMillis) {
        String logs = "http://localhost:" + ingest.port() + "/logs";
        String tailUrl = "http://localhost:" + tail.port() + "/v4/logs/organisations/" + DEMO_OWNER + "/resources/"
                + DEMO_ADDON + "/logs";
        return String.join("\n",
                "",
                "Add-on Log Collector (local) is up in " + startMillis + " ms",
                "  Kafka      " + kafka.bootstrapServers() + "   (data in " + kafka.dataDir().toAbsolutePath() + ")",
                "  Ingest     " + logs,
                "  Management http://localhost:" + ingest.managementPort() + "/health/ready  /metrics  /admin/tokens",
                "  Admin token (INGEST_ADMIN_TOKEN): " + config.adminToken(),
                "  Demo add-on " + DEMO_ADDON + " (real id " + demoRealId + ") of " + DEMO_OWNER + ", log token " + token,
                "",
                "Send a line (expect HTTP 204):",
                "  curl -i -X POST " + logs + " --user token:" + token
                        + " -H 'Content-Type: application/logplex-1' --data-binary '"
                        + demoBody(token, "Hello from the local stack") + "'",
                "",
                "Watch it in the browser (dashboard; the viewer token rides in the URL fragment, never sent to a server):",
                "  " + dashboardUrl(),
                "",
                "Or tail it over SSE with curl (then send lines as above; Ctrl-C ends the tail):",
                "  curl -N -H 'Authorization: Bearer " + viewer + "' '" + tailUrl + "'",
                "  (with history: append ?since=2026-01-01T00:00:00Z; consumer management on http://localhost:"
                        + tail.managementPort() + "/metrics)",
                "  Demo viewer token (JWT, 24 h, owner " + DEMO_OWNER + "): " + viewer,
                "",
                "Or with the platform's own CLI, unmodified (clever-tools 4.x needs Node 22; npx fetches both):",
                "  " + cliCommand("logs --addon " + demoRealId),
                "  (the add-on by its id " + DEMO_ADDON + " or real id " + demoRealId + "; add --since 1h, --search TEXT, "
                        + "--format json-stream)",
                "",
                "Forward the demo add-on's logs to a syslog server (a drain; e.g. rsyslog or `nc -lk 5514` listening there),",
                "then list, check, disable, enable or remove it (clever drain --addon " + demoRealId + "):",
                "  " + cliCommand("drain create syslog-tcp tcp://127.0.0.1:5514 --addon " + demoRealId),
                "  (drain worker management on http://localhost:" + drain.managementPort() + "/metrics)",
                "",
                "See what Kafka holds (needs kcat):",
                "  kcat -C -b " + kafka.bootstrapServers() + " -t " + config.logsTopic() + " -f '%k %h %s\\n' -e",
                "",
                "Ctrl-C stops everything; data stays in " + kafka.dataDir() + " for the next start.",
                "");
    }
}
