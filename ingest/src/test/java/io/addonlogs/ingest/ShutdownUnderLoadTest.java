package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

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
                FailoverLoad load = new FailoverLoad(first, token,
                        URI.create("http://127.0.0.1:" + first.service.port() + "/logs"),
                        URI.create("http://127.0.0.1:" + other.port() + "/logs"), 4, p -> p % 2 == 0);
                Thread.sleep(2000 * SCALE);
                first.service.stop().await();
                int afterStop = load.acknowledged.size();
                Thread.sleep(2000 * SCALE);
                load.stop();

                StoredLines stored = StoredLines.of(first, token);
                Set<String> lost = stored.missing(load.acknowledged);
                int duplicates = stored.duplicates();
                System.out.printf("shutdown under load: acknowledged %d lines (%d after the stop, all by the other "
                        + "instance), stored %d, lost %d, duplicates %d (resent %d); the stopped instance accepted %d "
                        + "requests and failed %d (resent elsewhere); the other failed %d%n",
                        load.acknowledged.size(), load.acknowledged.size() - afterStop, stored.ids().size(),
                        lost.size(), duplicates, load.resentLines.get(), load.primaryAccepted.get(),
                        load.primaryFailed.get(), load.fallbackFailed.get());
                assertEquals(Set.of(), lost, "every acknowledged line is stored");
                assertTrue(duplicates <= load.resentLines.get(), "duplicates only from resent requests");
                assertEquals(0, load.fallbackFailed.get(), "the other instance served throughout");
                assertTrue(load.acknowledged.size() > afterStop, "load went on after the stop");
            } finally {
                otherRuntime.shutDown(other::stop);
            }
        }
    }
}
