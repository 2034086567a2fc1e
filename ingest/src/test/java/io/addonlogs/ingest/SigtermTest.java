package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * A real SIGTERM: ingest runs as its own JVM ({@code IngestMain}) under load and receives SIGTERM. Its shutdown
 * hook finishes in-flight requests and flushes; requests it cannot take fail (never a 2xx for an unstored line)
 * and are resent to a second instance, which serves throughout. Every acknowledged line is in Kafka.
 */
class SigtermTest {

    @Test
    void sigtermUnderLoadLosesNothing() throws Exception {
        try (IngestFixture other = new IngestFixture(TestKafka.shared(), Map.of("INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String token = other.provision("addon_sigterm_jvm", "orga_sigterm");
            int port = ListenPort.free("127.0.0.1");
            int management = ListenPort.free("127.0.0.1");
            Path log = Path.of("target", "sigterm-ingest.log");
            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), IngestMain.class.getName())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            child.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", other.kafka.bootstrapServers(),
                    "LOGS_TOPIC", other.logsTopic, "TOKENS_TOPIC", other.tokensTopic, "INGEST_HOST", "127.0.0.1",
                    "INGEST_PORT", String.valueOf(port), "INGEST_MANAGEMENT_PORT", String.valueOf(management),
                    "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0"));
            Process process = child.start();
            try {
                URI ready = URI.create("http://127.0.0.1:" + management + "/health/ready");
                Await.until(() -> other.status(ready) == 200, "the child ingest ready");
                FailoverLoad load = new FailoverLoad(other, token, URI.create("http://127.0.0.1:" + port + "/logs"),
                        other.logsUri(), 3, p -> true);
                Await.until(() -> load.primaryAccepted.get() >= 20, "load on the child");
                process.destroy(); // SIGTERM
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child exits after SIGTERM");
                int afterExit = load.acknowledged.size();
                Thread.sleep(1000);
                load.stop();

                StoredLines stored = StoredLines.of(other, token);
                Set<String> lost = stored.missing(load.acknowledged);
                String childLog = Files.readString(log);
                System.out.printf("sigterm: child exit %d; acknowledged %d lines (%d by the child), stored %d, "
                        + "lost %d, duplicates %d (resent %d); child requests failed %d, other instance failed %d%n",
                        process.exitValue(), load.acknowledged.size(), load.primaryAccepted.get() * load.linesPerRequest(),
                        stored.ids().size(), lost.size(), stored.duplicates(), load.resentLines.get(),
                        load.primaryFailed.get(), load.fallbackFailed.get());
                assertEquals(Set.of(), lost, "every acknowledged line is stored");
                assertTrue(stored.duplicates() <= load.resentLines.get(), "duplicates only from resent requests");
                assertEquals(0, load.fallbackFailed.get(), "the other instance served throughout");
                assertTrue(load.acknowledged.size() > afterExit, "load went on after the child exited");
                assertTrue(childLog.contains("Ingest stopped"), "the shutdown hook completed:\n" + childLog);
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
