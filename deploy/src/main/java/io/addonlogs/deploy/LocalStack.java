package io.addonlogs.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.config.Settings;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.runtime.ServiceRuntime;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code java -jar deploy/target/log-collector-local.jar}: an embedded single-node Kafka (data kept under
 * {@code LOCAL_DATA_DIR}, default {@code ./data/kafka}), the topics, the ingest service, and a demo add-on with its
 * log token; prints what to run next. Ctrl-C stops everything in order, flushing what was accepted.
 */
public final class LocalStack {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    static final String DEMO_ADDON = "addon_demo";
    static final String DEMO_OWNER = "orga_demo";

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        long startedAt = System.nanoTime();
        Settings settings = Settings.fromEnvironment();
        Path dataDir = Path.of(settings.string("LOCAL_DATA_DIR", "data/kafka"));
        int kafkaPort = settings.port("LOCAL_KAFKA_PORT", 9092);
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.startPersistent(dataDir, kafkaPort, Map.of());

        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.putIfAbsent("INGEST_ADMIN_TOKEN", "local-admin-" + UUID.randomUUID());
        IngestConfig config = IngestConfig.from(env);
        kafka.createTopic(config.logsTopic(), 3);
        kafka.createTopic(config.tokensTopic(), 1, (short) 1, Map.of("cleanup.policy", "compact"));

        ServiceRuntime runtime = ServiceRuntime.create();
        IngestService ingest = IngestService.start(runtime.vertx(), runtime.registry(), config).await();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping: ingest first (finishing requests, flushing to Kafka), then Kafka");
            ingest.stop().await();
            runtime.vertx().close().await();
            kafka.stop();
        }, "local-stack-shutdown"));
        while (!ingest.ready()) {
            Thread.sleep(50);
        }
        String token = demoToken(config, ingest.managementPort());
        System.out.println(banner(config, ingest, token, kafka, (System.nanoTime() - startedAt) / 1_000_000));
    }

    /** The demo add-on's token: reused across restarts (the registry is in Kafka), created on first start. */
    private static String demoToken(IngestConfig config, int managementPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String admin = "http://localhost:" + managementPort + "/admin/tokens";
        HttpResponse<String> existing = http.send(HttpRequest.newBuilder(URI.create(admin + "?addonId=" + DEMO_ADDON))
                .header("Authorization", "Bearer " + config.adminToken()).build(), HttpResponse.BodyHandlers.ofString());
        JsonArray tokens = new JsonArray(existing.body());
        if (!tokens.isEmpty()) {
            return tokens.getJsonObject(0).getString("token");
        }
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(admin))
                .header("Authorization", "Bearer " + config.adminToken())
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("addonId", DEMO_ADDON)
                        .put("ownerId", DEMO_OWNER).encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("cannot provision the demo token: " + created.body());
        }
        return new JsonObject(created.body()).getString("token");
    }

    /** A logplex body with one frame, nil timestamp (the receive time stands), ready for curl. */
    static String demoBody(String token, String message) {
        String msg = "<190>1 - demo-host " + token + " demo.1 - - " + message;
        return msg.getBytes(StandardCharsets.UTF_8).length + " " + msg;
    }

    private static String banner(IngestConfig config, IngestService ingest, String token, EmbeddedKafkaBroker kafka,
                                 long startMillis) {
        String logs = "http://localhost:" + ingest.port() + "/logs";
        return String.join("\n",
                "",
                "Add-on Log Collector (local) is up in " + startMillis + " ms",
                "  Kafka      " + kafka.bootstrapServers() + "   (data in " + kafka.dataDir().toAbsolutePath() + ")",
                "  Ingest     " + logs,
                "  Management http://localhost:" + ingest.managementPort() + "/health/ready  /metrics  /admin/tokens",
                "  Admin token (INGEST_ADMIN_TOKEN): " + config.adminToken(),
                "  Demo add-on " + DEMO_ADDON + " of " + DEMO_OWNER + ", log token " + token,
                "",
                "Send a line (expect HTTP 204):",
                "  curl -i -X POST " + logs + " --user token:" + token
                        + " -H 'Content-Type: application/logplex-1' --data-binary '"
                        + demoBody(token, "Hello from the local stack") + "'",
                "",
                "See what Kafka holds (needs kcat):",
                "  kcat -C -b " + kafka.bootstrapServers() + " -t " + config.logsTopic() + " -f '%k %h %s\\n' -e",
                "",
                "Ctrl-C stops everything; data stays in " + kafka.dataDir() + " for the next start.",
                "");
    }
}
