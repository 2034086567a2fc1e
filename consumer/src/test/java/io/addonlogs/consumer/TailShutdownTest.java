package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/** Stopping a consumer ends its SSE streams so viewers reconnect elsewhere, and the stop completes. */
class TailShutdownTest {

    @Test
    void stopEndsOpenStreams() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 1, 1, Map.of())) {
            String token = "lt_shutdown_token_000000000000000000000";
            fixture.register(token, "addon_stop", "orga_stop");
            TailService consumer = fixture.consumers.get(0);
            SseClient sse = SseClient.open(fixture.tailUri(consumer, "orga_stop", "addon_stop", ""),
                    bearer(viewerOf("orga_stop")));
            fixture.post(token, List.of("one"));
            assertEquals(1, sse.next(1, 10_000).size());

            consumer.stop().toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
            Await.until(sse::ended, "stream closed by the server");
            sse.close();
            fixture.consumers.remove(consumer);
        }
    }
}
