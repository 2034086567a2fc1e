package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.TailService;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.management.ManagementServer;
import io.addonlogs.service.runtime.ServiceRuntime;

/**
 * Both services against a Kafka that only speaks SASL_SSL with SCRAM-SHA-512 (as Strimzi's TLS listener with SCRAM
 * authentication), configured only through {@code KAFKA_*} variables: the ingest stores a line (its producer), the
 * token registry of both services follows the token topic, the consumer's live tail delivers the line over SSE and
 * its history reader replays it.
 * Each Kafka user has exactly the ACLs of its {@code KafkaUser} in deploy/k8s. With a wrong password, or as a user
 * without ACLs, each client says so in one log line and the services stay not ready.
 */
class SecuredKafkaTest {

    /** The topics as deploy/k8s names them, whose ACLs (kafka-users.yaml) the broker enforces here. */
    private static final String LOGS = "logs";
    private static final String TOKENS = "log-tokens";
    private static final String INDEX = "logs-index";
    private static final String ADMIN_TOKEN = "secured-admin-token-of-32-bytes-or-more";
    private static final String JWT_SECRET = "secured-viewer-secret-of-32-bytes!";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws IOException {
        kafka = EmbeddedKafkaBroker.startTemporaryWithSaslSsl();
        kafka.createTopic(LOGS, 3);
        kafka.createTopic(TOKENS, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(INDEX, 3);
        for (String user : List.of("ingest", "consumer")) {
            kafka.saslSsl().createScramUser(user, user + "-password");
            DeploymentFilesTest.acls(user).forEach((resource, operations) -> {
                String[] typeAndName = resource.split(":", 2);
                kafka.saslSsl().allow(user, typeAndName[0], typeAndName[1], operations);
            });
        }
        kafka.saslSsl().createScramUser("nobody", "nobody-password");
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void bothServicesWorkOverSaslSslWithScramUsers() throws Exception {
        Map<String, String> ingestEnv = ingestEnv(kafkaEnv("ingest", "ingest-password"));
        IngestConfig ingestConfig = IngestConfig.from(ingestEnv);
        assertFalse(ingestConfig.toString().contains("ingest-password"), "the start-up line hides the password");
        assertTrue(ingestConfig.toString().contains("security.protocol=SASL_SSL"), ingestConfig.toString());
        ServiceRuntime ingestRuntime = ServiceRuntime.create();
        IngestService ingest = IngestService.start(ingestRuntime.vertx(), ingestRuntime.registry(), ingestConfig)
                .await();
        try {
            Await.until(ingest::ready, "ingest ready over SASL_SSL (token registry caught up, producer has metadata)");
            assertEquals(200, ready(ingest.managementPort()));
            // the admin API writes through the producer and waits for the registry follower to read it back
            String token = new AdminTokens("http://127.0.0.1:" + ingest.managementPort(), ADMIN_TOKEN)
                    .tokenFor("addon_sec", "orga_sec");

            ServiceRuntime tailRuntime = ServiceRuntime.create();
            TailService tail = TailService.start(tailRuntime.vertx(), tailRuntime.registry(),
                    TailConfig.from(tailEnv(kafkaEnv("consumer", "consumer-password")))).await();
            try {
                Await.until(tail::ready, "consumer ready over SASL_SSL (token registry, live reader)");
                assertEquals(200, ready(tail.managementPort()));
                assertTrue(tail.tokens().lookup(token).isPresent(), "the consumer's registry read the token topic");
                try (SseTail live = SseTail.open(tailRequest(tail, ""))) {
                    assertEquals(204, post(ingest, token, "over SASL_SSL"));
                    assertTrue(live.awaitData("over SASL_SSL").contains("\"resourceId\":\"addon_sec\""));
                }
                try (SseTail history = SseTail.open(tailRequest(tail, "?since=2000-01-01T00:00:00Z"))) {
                    history.awaitData("over SASL_SSL"); // replayed by the history reader, over SASL_SSL too
                }
                // the history index is written within its group, with the consumer user's ACLs
                int partition = LogPartitions.of(token.getBytes(StandardCharsets.UTF_8), 3);
                Await.until(() -> tail.indexer().indexedUpTo(partition) >= 1, "the line indexed over SASL_SSL");
                try (SseTail last = SseTail.open(tailRequest(tail, "?tail=1"))) {
                    last.awaitData("over SASL_SSL"); // found through the index
                }
            } finally {
                tailRuntime.shutDown(tail::stop);
            }
        } finally {
            ingestRuntime.shutDown(ingest::stop);
        }
    }

    @Test
    void aWrongPasswordIsOneClearLogLinePerClientAndNotReadyNeverASilentHang() throws Exception {
        String line = refusedAtStart("consumer", "not-the-password", "authentication");
        assertTrue(line.contains("invalid credentials with SASL mechanism SCRAM-SHA-512"), line);
        assertFalse(line.contains("not-the-password"), line);
    }

    @Test
    void aUserWithoutAclsIsOneClearLogLinePerClientAndNotReady() throws Exception {
        String line = refusedAtStart("nobody", "nobody-password", "authorization");
        assertTrue(line.contains("Not authorized to access topics: [" + LOGS + "]"), line);
    }

    /**
     * Starts both services as {@code user}, which Kafka refuses: each client (the ingest's producer, both token
     * registry followers, the live reader) logs one line {@code Kafka <failure> failed for <client>: ...} without a
     * stack trace, both answer 503 on readiness, and both stop promptly. Returns the live reader's line.
     */
    private static String refusedAtStart(String user, String password, String failure) throws Exception {
        try (ErrorLines errors = ErrorLines.capture()) {
            ServiceRuntime ingestRuntime = ServiceRuntime.create();
            IngestService ingest = IngestService.start(ingestRuntime.vertx(), ingestRuntime.registry(),
                    IngestConfig.from(ingestEnv(kafkaEnv(user, password)))).await();
            ServiceRuntime tailRuntime = ServiceRuntime.create();
            TailService tail = TailService.start(tailRuntime.vertx(), tailRuntime.registry(),
                    TailConfig.from(tailEnv(kafkaEnv(user, password)))).await();
            long stopping;
            try {
                for (String client : List.of("the ingest producer", "token-registry-follower", "live-reader")) {
                    String prefix = "Kafka " + failure + " failed for " + client + ": ";
                    Await.until(() -> errors.find(prefix) != null, "'" + prefix + "' logged");
                    ILoggingEvent line = errors.find(prefix);
                    assertFalse(line.getFormattedMessage().contains("\n"), "one line: " + line.getFormattedMessage());
                    assertNull(line.getThrowableProxy(), "one line, no stack trace: " + line.getFormattedMessage());
                }
                assertEquals(503, ready(ingest.managementPort()));
                assertEquals(503, ready(tail.managementPort()));
                assertFalse(ingest.ready() || tail.ready());
            } finally {
                stopping = System.nanoTime();
                tailRuntime.shutDown(tail::stop);
                ingestRuntime.shutDown(ingest::stop);
            }
            assertTrue(System.nanoTime() - stopping < TimeUnit.SECONDS.toNanos(20),
                    "the retry waits end when the services stop");
            return errors.find("Kafka " + failure + " failed for live-reader: ").getFormattedMessage();
        }
    }

    /** The client settings of a service for the SASL_SSL listener, as an operator sets them. */
    private static Map<String, String> kafkaEnv(String user, String password) {
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.saslSsl().bootstrapServers(),
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"" + user + "\" password=\"" + password + "\";",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", kafka.saslSsl().certificates().truststore().toString(),
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", kafka.saslSsl().certificates().password(),
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    }

    private static Map<String, String> ingestEnv(Map<String, String> kafkaEnv) {
        Map<String, String> env = new HashMap<>(kafkaEnv);
        env.putAll(Map.of("LOGS_TOPIC", LOGS, "TOKENS_TOPIC", TOKENS, "INGEST_HOST", "127.0.0.1", "INGEST_PORT", "0",
                "INGEST_MANAGEMENT_PORT", "0", "INGEST_ADMIN_TOKEN", ADMIN_TOKEN, "INGEST_EVENT_LOOPS", "1"));
        return env;
    }

    private static Map<String, String> tailEnv(Map<String, String> kafkaEnv) {
        Map<String, String> env = new HashMap<>(kafkaEnv);
        env.putAll(Map.of("LOGS_TOPIC", LOGS, "TOKENS_TOPIC", TOKENS, "CONSUMER_HOST", "127.0.0.1",
                "CONSUMER_PORT", "0", "CONSUMER_MANAGEMENT_PORT", "0", "VIEWER_JWT_SECRET", JWT_SECRET,
                "CONSUMER_EVENT_LOOPS", "1", "CONSUMER_HISTORY_READERS", "1"));
        return env;
    }

    private static int ready(int managementPort) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                + ManagementServer.READY_PATH)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpRequest tailRequest(TailService tail, String query) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + tail.port()
                        + "/v4/logs/organisations/orga_sec/resources/addon_sec/logs" + query))
                .header("Authorization", "Bearer " + ViewerTokens.mint(JWT_SECRET, "orga_sec", Duration.ofMinutes(5)))
                .build();
    }

    private static int post(IngestService ingest, String token, String message) throws Exception {
        String line = "<190>1 - sec-host " + token + " app.1 - - " + message;
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/logs"))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("token:" + token).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(line.getBytes(StandardCharsets.UTF_8).length + " " + line))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The ERROR lines logged in this JVM while open (from any thread; read on the test's). */
    private static final class ErrorLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

        static ErrorLines capture() {
            ErrorLines lines = new ErrorLines();
            lines.start();
            lines.root.addAppender(lines);
            return lines;
        }

        @Override
        protected void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                events.add(event);
            }
        }

        ILoggingEvent find(String text) {
            return events.stream().filter(e -> e.getFormattedMessage().contains(text)).findFirst().orElse(null);
        }

        @Override
        public void close() {
            root.detachAppender(this);
            stop();
        }
    }
}
