package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.runtime.ServiceRuntime;

/**
 * Two ingest instances under load; one is stopped as SIGTERM stops it (IngestMain's shutdown hook calls the same
 * stop). Its in-flight requests complete or fail, never a 2xx for an unstored line; its providers resend to the
 * other instance, which serves throughout. Every acknowledged line is in Kafka.
 */
class ShutdownUnderLoadTest {

    /** {@code -Dreliability.scale=N} makes every phase N times longer (the long variant, docs/reliability.md). */
    private static final long SCALE = Long.getLong("reliability.scale", 1);
    private static final int LINES = 40;

    @Test
    void stoppingOneInstanceUnderLoadLosesNothingAndTheOtherKeepsServing() throws Exception {
        try (IngestFixture first = new IngestFixture(TestKafka.shared(), Map.of("INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", first.kafka.bootstrapServers(),
                    "LOGS_TOPIC", first.logsTopic, "TOKENS_TOPIC", first.tokensTopic, "INGEST_HOST", "127.0.0.1",
                    "INGEST_PORT", "0", "INGEST_MANAGEMENT_PORT", "0", "INGEST_TOKEN_LINES_PER_SECOND", "0",
                    "INGEST_TOKEN_BYTES_PER_SECOND", "0"));
            ServiceRuntime otherRuntime = ServiceRuntime.create();
            IngestService other = IngestService.start(otherRuntime.vertx(), otherRuntime.registry(),
                    IngestConfig.from(env)).await();
            try {
                String token = first.provision("addon_sigterm", "orga_sigterm");
                io.addonlogs.kafka.embedded.Await.until(() -> other.ready() && other.tokens().lookup(token).isPresent(),
                        "second instance ready");
                List<URI> targets = List.of(URI.create("http://127.0.0.1:" + first.service.port() + "/logs"),
                        URI.create("http://127.0.0.1:" + other.port() + "/logs"));

                Set<String> acknowledged = ConcurrentHashMap.newKeySet();
                AtomicLong resent = new AtomicLong();
                AtomicInteger otherFailures = new AtomicInteger();
                AtomicInteger stoppedAnswers2xx = new AtomicInteger();
                AtomicInteger stoppedFailures = new AtomicInteger();
                AtomicBoolean running = new AtomicBoolean(true);
                List<Thread> providers = new ArrayList<>();
                for (int p = 0; p < 4; p++) {
                    int provider = p;
                    Thread t = new Thread(() -> {
                        int target = provider % 2; // half start on the instance that will be stopped
                        for (int r = 0; running.get(); r++) {
                            int request = r;
                            List<String> ids = IntStream.range(0, LINES)
                                    .mapToObj(i -> "p" + provider + "-r" + request + "-l" + i).toList();
                            String body = Frames.body(ids.stream().map(id -> Frames.line(token, "line " + id)).toList());
                            while (true) {
                                int status;
                                try {
                                    status = first.http.send(HttpRequest.newBuilder(targets.get(target))
                                            .timeout(Duration.ofSeconds(30))
                                            .header("Authorization", IngestFixture.basic(token))
                                            .header("Content-Type", "application/logplex-1")
                                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                            HttpResponse.BodyHandlers.discarding()).statusCode();
                                } catch (Exception e) {
                                    status = -1;
                                }
                                if (status == 204) {
                                    acknowledged.addAll(ids);
                                    if (target == 0 && !first.service.ready()) {
                                        stoppedAnswers2xx.incrementAndGet();
                                    }
                                    break;
                                }
                                if (target == 1) {
                                    otherFailures.incrementAndGet();
                                } else {
                                    stoppedFailures.incrementAndGet();
                                }
                                resent.addAndGet(LINES);
                                target = 1; // the load balancer would send the retry elsewhere
                            }
                        }
                    }, "provider-" + p);
                    t.start();
                    providers.add(t);
                }
                Thread.sleep(2000 * SCALE);
                first.service.stop().await();
                int afterStop = acknowledged.size();
                Thread.sleep(2000 * SCALE);
                running.set(false);
                for (Thread t : providers) {
                    t.join();
                }

                StoredLines stored = StoredLines.of(first, token);
                Set<String> lost = stored.missing(acknowledged);
                int duplicates = stored.duplicates();
                System.out.printf("shutdown under load: acknowledged %d lines (%d after the stop, all by the other "
                        + "instance), stored %d, lost %d, duplicates %d (resent %d); the stopped instance answered %d "
                        + "requests 2xx while stopping and failed %d (resent elsewhere); the other failed %d%n",
                        acknowledged.size(), acknowledged.size() - afterStop, stored.ids().size(), lost.size(), duplicates,
                        resent.get(), stoppedAnswers2xx.get(), stoppedFailures.get(), otherFailures.get());
                assertEquals(Set.of(), lost, "every acknowledged line is stored");
                assertTrue(duplicates <= resent.get(), "duplicates only from resent requests");
                assertEquals(0, otherFailures.get(), "the other instance served throughout");
                assertTrue(acknowledged.size() > afterStop, "load went on after the stop");
            } finally {
                other.stop().await();
                otherRuntime.vertx().close().await();
            }
        }
    }
}
