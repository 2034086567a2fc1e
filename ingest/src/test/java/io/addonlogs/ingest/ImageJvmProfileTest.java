package io.addonlogs.ingest;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * The ingest as its image runs it: its own JVM with the image's flags ({@code deploy/docker/ingest.jvm}: a 60 MiB
 * heap, exit on OutOfMemoryError), attacked as issue 15 found it: 2,000 connections each declaring
 * {@code Content-Length: 1000000}, sending the 17 bytes {@code 262144 <190>1 - h} and going quiet (before issue 15
 * each allocated its announced 256 KiB: 500 MiB here). It stays up, a normal provider is served meanwhile and after,
 * and every line it was answered 204 for is stored.
 */
class ImageJvmProfileTest {

    static final Path PROFILE = Path.of("..", "deploy", "docker", "ingest.jvm");
    private static final int ANNOUNCERS = 2000;
    private static final Pattern BODY_BYTES = Pattern.compile("^ingest_body_bytes_total(?:\\{[^}]*})? (\\S+)$",
            Pattern.MULTILINE);
    private static final Pattern HEAP_USED = Pattern.compile(
            "^jvm_memory_used_bytes\\{(?=[^}]*area=\"heap\")[^}]*} (\\S+)$", Pattern.MULTILINE);

    @Test
    void theImagesHeapHoldsTwoThousandAnnouncers() throws Exception {
        try (IngestFixture fixture = new IngestFixture(TestKafka.shared(), Map.of())) {
            String quiet = fixture.provision("addon_profile_announcer", "orga_profile");
            String normal = fixture.provision("addon_profile_normal", "orga_profile");
            int port = ListenPort.free("127.0.0.1");
            int management = ListenPort.free("127.0.0.1");
            Path log = Path.of("target", "image-profile-ingest.log");
            ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "@" + PROFILE.toAbsolutePath(), "-cp", System.getProperty("java.class.path"),
                    IngestMain.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = child.environment();
            env.putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", fixture.kafka.bootstrapServers(),
                    "LOGS_TOPIC", fixture.logsTopic, "TOKENS_TOPIC", fixture.tokensTopic, "INGEST_HOST", "127.0.0.1",
                    "INGEST_PORT", String.valueOf(port), "INGEST_MANAGEMENT_PORT", String.valueOf(management),
                    "MALLOC_ARENA_MAX", "2"));
            // as HeldResourcesTest: the announcers stay (no deadline, no per-token cap), so their frames are held
            env.putAll(Map.of("INGEST_IDLE_TIMEOUT_SECONDS", "300", "INGEST_HEADER_TIMEOUT_SECONDS", "300",
                    "INGEST_BODY_TIMEOUT_SECONDS", "300", "INGEST_MAX_REQUESTS_PER_TOKEN", "100000",
                    "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0"));
            Process process = child.start();
            URI logs = URI.create("http://127.0.0.1:" + port + "/logs");
            URI metrics = URI.create("http://127.0.0.1:" + management + "/metrics");
            List<Socket> announcers = new ArrayList<>();
            int served = 0;
            try {
                Await.until(() -> fixture.status(URI.create("http://127.0.0.1:" + management + "/health/ready")) == 200,
                        "the child ingest ready");
                byte[] announce = ("POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: " + IngestFixture.basic(quiet)
                        + "\r\nContent-Type: application/logplex-1\r\nContent-Length: 1000000\r\n\r\n262144 <190>1 - h")
                        .getBytes(ISO_8859_1);
                double bodyBytesBefore = metric(fixture, metrics, BODY_BYTES);
                for (int i = 0; i < ANNOUNCERS; i++) {
                    Socket s = new Socket("127.0.0.1", port);
                    s.getOutputStream().write(announce);
                    announcers.add(s);
                    if (i % 200 == 0) {
                        assertEquals(204, post(fixture, logs, normal, "meanwhile " + served++), "served meanwhile");
                    }
                }
                Await.until(() -> metric(fixture, metrics, BODY_BYTES) - bodyBytesBefore >= ANNOUNCERS * 17.0,
                        "every announcer read");
                assertTrue(process.isAlive(), "the ingest is up with " + ANNOUNCERS + " announcers:\n"
                        + Files.readString(log));
                System.out.printf("image profile: %d announcers held, heap in use %.1f MiB%n",
                        ANNOUNCERS, metric(fixture, metrics, HEAP_USED) / (1 << 20));
                assertEquals(204, post(fixture, logs, normal, "meanwhile " + served++), "served with all held");
            } finally {
                for (Socket s : announcers) {
                    s.close();
                }
            }
            try {
                assertEquals(204, post(fixture, logs, normal, "after " + served++), "served after");
                assertTrue(process.isAlive(), "still up:\n" + Files.readString(log));
                int expected = served;
                Await.until(() -> fixture.recordsFor(normal).size() == expected, "every line answered 204 stored");
                assertEquals(List.of(), fixture.recordsFor(quiet), "nothing of the announcers stored");
            } finally {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
                process.destroyForcibly();
            }
        }
    }

    private static int post(IngestFixture fixture, URI logs, String token, String msg) throws Exception {
        return fixture.send(HttpRequest.newBuilder(logs).timeout(Duration.ofSeconds(60))
                .header("Authorization", IngestFixture.basic(token)).header("Content-Type", "application/logplex-1")
                .POST(BodyPublishers.ofString(Frames.body(List.of(Frames.line(token, msg))))).build()).statusCode();
    }

    /** The sum of a metric's series on the child's {@code /metrics}. */
    private static double metric(IngestFixture fixture, URI metrics, Pattern series) {
        String text;
        try {
            text = fixture.send(HttpRequest.newBuilder(metrics).build()).body();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("the child's /metrics: " + e, e);
        }
        Matcher m = series.matcher(text);
        double sum = 0;
        boolean found = false;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            found = true;
        }
        assertTrue(found, series + " in /metrics");
        return sum;
    }
}
