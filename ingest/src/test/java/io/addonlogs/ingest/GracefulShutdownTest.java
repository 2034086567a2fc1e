package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static io.addonlogs.ingest.IngestFixture.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        try (RawHttp.ChunkedUpload upload = new RawHttp.ChunkedUpload(ingest.service.port(),
                "Authorization: " + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\n")) {
            upload.send(body(first).getBytes(StandardCharsets.UTF_8));
            // the server is mid-request once it has stored the first part
            Await.until(() -> ingest.recordsFor(token).size() == first.size(), "first part stored");

            Future<Void> stopping = ingest.service.stop();
            Await.until(() -> !ingest.service.ready(), "not ready once stopping");
            assertFalse(stopping.isComplete(), "stop waits for the in-flight request");

            upload.send(body(second).getBytes(StandardCharsets.UTF_8));
            assertEquals(204, upload.finish().status());
            stopping.await();
        }
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(all, values(ingest.recordsFor(token)));
        assertThrows(IOException.class, () -> ingest.send(ingest.post(token)
                .POST(BodyPublishers.ofString(body(List.of(line(token, "refused"))))).build()));
        ingest.runtime.vertx().close().await();
    }
}
