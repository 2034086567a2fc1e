package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * {@code CONSUMER_ROUTE_BY_PARTITION=true}: a tail request that names no partition is sent (307, query kept) to the
 * URL naming its add-on's partition, for a load balancer hashing on it (deploy/docker/haproxy.cfg); the request that
 * names one is served; refusals stay what they are. ScaleOutTest (deploy) runs it behind the real haproxy.
 */
class PartitionRedirectTest {

    private static final int PARTITIONS = 12;

    @Test
    void aTailWithoutPartitionIsRedirectedToItsPartitionsUrl() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), PARTITIONS, 1,
                Map.of("CONSUMER_ROUTE_BY_PARTITION", "true"))) {
            String token = "lt_redirect-" + System.nanoTime();
            fixture.register(token, "addon_redirect", "orga_redirect");
            int partition = LogPartitions.of(token.getBytes(StandardCharsets.UTF_8), PARTITIONS);
            TailService consumer = fixture.consumers.get(0);

            HttpResponse<InputStream> first = send(fixture.tailUri(consumer, "orga_redirect", "addon_redirect",
                    "tail=5&filter=x%20y"), "orga_redirect");
            assertEquals(307, first.statusCode());
            assertEquals("/v4/logs/organisations/orga_redirect/resources/addon_redirect/logs?tail=5&filter=x%20y"
                    + "&partition=" + partition, first.headers().firstValue("Location").orElse(null));
            assertEquals(200, send(fixture.tailUri(consumer, "orga_redirect", "addon_redirect",
                    "partition=" + partition), "orga_redirect").statusCode());
            assertEquals(403, send(fixture.tailUri(consumer, "orga_redirect", "addon_redirect", ""), "orga_other")
                    .statusCode(), "refused before any redirect");
        }
    }

    private static HttpResponse<InputStream> send(URI uri, String owner) throws Exception {
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + TailFixture.viewerOf(owner)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        response.body().close();
        return response;
    }
}
