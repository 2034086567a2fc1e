package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.ingest.IngestService;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * A token revoked through one ingest's admin API stops working on every instance, two ingests and two consumers,
 * within 2 s: ingests answer 401, consumers no longer serve the add-on (404). The time is measured and printed.
 */
class RevocationTest {

    @Test
    void revocationReachesEveryInstanceWithinTwoSeconds() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 3, 2, Map.of())) {
            IngestService second = fixture.startIngest();
            List<IngestService> ingests = List.of(fixture.ingest, second);
            String token = "lt_revoked_" + System.nanoTime();
            fixture.register(token, "addon_rev", "orga_rev");
            for (IngestService ingest : ingests) {
                assertEquals(204, post(fixture, ingest, token), "works before");
            }
            for (TailService consumer : fixture.consumers) {
                assertEquals(200, fixture.tailStatus(consumer, "orga_rev", "addon_rev"), "served before");
            }

            long start = System.nanoTime();
            HttpResponse<String> revoked = fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + fixture.ingest.managementPort() + "/admin/tokens/" + token))
                    .header("Authorization", "Bearer " + TailFixture.ADMIN_TOKEN).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, revoked.statusCode(), revoked.body());
            long[] effective = new long[4];
            while (effective[0] == 0 || effective[1] == 0 || effective[2] == 0 || effective[3] == 0) {
                long now = System.nanoTime() - start;
                assertTrue(now < 10_000_000_000L, "not revoked everywhere within 10 s");
                for (int i = 0; i < 2; i++) {
                    if (effective[i] == 0 && post(fixture, ingests.get(i), token) == 401) {
                        effective[i] = System.nanoTime() - start;
                    }
                    if (effective[2 + i] == 0 && fixture.tailStatus(fixture.consumers.get(i), "orga_rev", "addon_rev") == 404) {
                        effective[2 + i] = System.nanoTime() - start;
                    }
                }
                Thread.sleep(20);
            }
            System.out.printf("revocation effective after: ingest-1 %d ms, ingest-2 %d ms, consumer-1 %d ms, "
                    + "consumer-2 %d ms%n", effective[0] / 1_000_000, effective[1] / 1_000_000,
                    effective[2] / 1_000_000, effective[3] / 1_000_000);
            for (long nanos : effective) {
                assertTrue(nanos <= 2_000_000_000L, "revocation took " + nanos / 1_000_000 + " ms on one instance");
            }
        }
    }

    private static int post(TailFixture fixture, IngestService ingest, String token) throws Exception {
        String line = TailFixture.line(token, "revocation probe");
        return fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest.port() + "/logs"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("token:" + token)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(line.getBytes(StandardCharsets.UTF_8).length + " " + line))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
