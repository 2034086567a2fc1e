package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * A real SIGTERM: ingest runs as its own JVM ({@code IngestMain}) under load and receives SIGTERM. Its shutdown
 * hook finishes in-flight requests and flushes; requests it cannot take fail (never a 2xx for an unstored line)
 * and are resent to a second instance, which serves throughout. Every acknowledged line is in Kafka.
 */
class SigtermTest {

    private static final int LINES = 40;

    @Test
    void sigtermUnderLoadLosesNothing() throws Exception {
        try (IngestFixture other = new IngestFixture(TestKafka.shared(), Map.of("INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String token = other.provision("addon_sigterm_jvm", "orga_sigterm");
            int port = freePort();
            int management = freePort();
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
                Await.until(() -> status(other, ready) == 200, "the child ingest ready");
                List<URI> targets = List.of(URI.create("http://127.0.0.1:" + port + "/logs"), other.logsUri());

                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                AtomicInteger childAccepted = new AtomicInteger();
                AtomicInteger childFailed = new AtomicInteger();
                AtomicInteger otherFailed = new AtomicInteger();
                AtomicLong resent = new AtomicLong();
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> providers = new ArrayList<>();
                for (int p = 0; p < 3; p++) {
                    int provider = p;
                    Thread t = new Thread(() -> {
                        int target = 0;
                        for (int r = 0; running.get(); r++) {
                            int request = r;
                            List<String> ids = IntStream.range(0, LINES)
                                    .mapToObj(i -> "p" + provider + "-r" + request + "-l" + i).toList();
                            String body = Frames.body(ids.stream().map(id -> Frames.line(token, "line " + id)).toList());
                            while (true) {
                                int status = post(other, targets.get(target), token, body);
                                if (status == 204) {
                                    acknowledged.addAll(ids);
                                    if (target == 0) {
                                        childAccepted.incrementAndGet();
                                    }
                                    break;
                                }
                                (target == 0 ? childFailed : otherFailed).incrementAndGet();
                                resent.addAndGet(LINES);
                                target = 1;
                            }
                        }
                    }, "provider-" + p);
                    t.start();
                    providers.add(t);
                }
                Await.until(() -> childAccepted.get() >= 20, "load on the child");
                process.destroy(); // SIGTERM
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child exits after SIGTERM");
                int afterExit = acknowledged.size();
                Thread.sleep(1000);
                running.set(false);
                for (Thread t : providers) {
                    t.join();
                }

                StoredLines stored = StoredLines.of(other, token);
                Set<String> lost = stored.missing(acknowledged);
                String childLog = Files.readString(log);
                System.out.printf("sigterm: child exit %d; acknowledged %d lines (%d by the child), stored %d, "
                        + "lost %d, duplicates %d (resent %d); child requests failed %d, other instance failed %d%n",
                        process.exitValue(), acknowledged.size(), childAccepted.get() * LINES, stored.ids().size(),
                        lost.size(), stored.duplicates(), resent.get(), childFailed.get(), otherFailed.get());
                assertEquals(Set.of(), lost, "every acknowledged line is stored");
                assertTrue(stored.duplicates() <= resent.get(), "duplicates only from resent requests");
                assertEquals(0, otherFailed.get(), "the other instance served throughout");
                assertTrue(acknowledged.size() > afterExit, "load went on after the child exited");
                assertTrue(childLog.contains("Ingest stopped"), "the shutdown hook completed:\n" + childLog);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static int post(IngestFixture fixture, URI target, String token, String body) {
        try {
            return fixture.http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                    .header("Authorization", IngestFixture.basic(token))
                    .header("Content-Type", "application/logplex-1")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int status(IngestFixture fixture, URI uri) {
        try {
            return fixture.http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
