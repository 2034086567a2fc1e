package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static io.addonlogs.ingest.IngestFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.Future;

/** Stop while a request is in flight: it completes (and is stored), new connections are refused. */
class GracefulShutdownTest {

    @Test
    void inFlightRequestCompletesDuringShutdown() throws Exception {
        IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_EVENT_LOOPS", "1"));
        String token = ingest.provision("addon_shutdown", "orga_1");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            first.add(line(token, "before stop " + i));
            second.add(line(token, "after stop " + i));
        }
        GatedStream stream = new GatedStream(body(first).getBytes(StandardCharsets.UTF_8),
                body(second).getBytes(StandardCharsets.UTF_8));
        CompletableFuture<HttpResponse<String>> inFlight = ingest.http.sendAsync(ingest.post(token)
                .POST(BodyPublishers.ofInputStream(() -> stream)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(stream.firstPartSent.await(30, TimeUnit.SECONDS));

        Future<Void> stopping = ingest.service.stop();
        Await.until(() -> !ingest.service.ready(), "not ready once stopping");
        assertFalse(stopping.isComplete(), "stop waits for the in-flight request");
        stream.gate.countDown();

        assertEquals(204, inFlight.get(30, TimeUnit.SECONDS).statusCode());
        stopping.await();
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(all, values(ingest.recordsFor(token)));
        assertThrows(IOException.class, () -> ingest.send(ingest.post(token)
                .POST(BodyPublishers.ofString(body(List.of(line(token, "refused"))))).build()));
        ingest.runtime.vertx().close().await();
    }
}
