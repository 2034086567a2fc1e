package io.addonlogs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

class EventCounterTest {

    /** A stream as the consumer writes it: events with ids, a heartbeat, a HIDDEN count, a data line with "id:". */
    private static final String STREAM = "id: 0-12\nevent: RESOURCE_LOG\ndata: {\"message\":\"x id: y\\nid: z\"}\n\n"
            + "event: HEARTBEAT\ndata: \n\n"
            + "event: HIDDEN\ndata: {\"hidden\":3}\n\n"
            + "id: 0-13\nevent: RESOURCE_LOG\ndata: {\"message\":\"id:\"}\n\n"
            + "id: 1-7\nevent: RESOURCE_LOG\ndata: {}\n\n"
            + "event: END_OF_STREAM\ndata: {\"endedBy\":\"LIMIT\"}\n\n";

    @Test
    void countsTheEventsWithAnIdWhateverTheChunksBoundaries() {
        byte[] bytes = STREAM.repeat(50).getBytes(StandardCharsets.UTF_8);
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            EventCounter counter = new EventCounter();
            int events = 0;
            for (int at = 0; at < bytes.length; ) {
                int length = Math.min(bytes.length - at, 1 + random.nextInt(round % 2 == 0 ? 4 : 200));
                events += counter.count(Buffer.buffer().appendBytes(bytes, at, length));
                at += length;
            }
            assertEquals(150, events, "round " + round);
        }
    }
}
