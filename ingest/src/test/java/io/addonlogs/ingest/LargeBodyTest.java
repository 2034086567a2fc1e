package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.frame;
import static io.addonlogs.ingest.Frames.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * A 50 MB body streamed through with a small high-water mark: every line is stored, and the bytes in flight to
 * Kafka never exceed the mark by more than one slice of frames (the bound the design promises).
 */
class LargeBodyTest {

    static final long HIGH_WATER = 256 * 1024;
    static final int MAX_FRAME = 4096;
    static IngestFixture ingest;

    @BeforeAll
    static void start() {
        ingest = new IngestFixture(TestKafka.shared(), Map.of(
                "INGEST_MAX_BODY_BYTES", String.valueOf(64L << 20),
                "INGEST_MAX_FRAME_BYTES", String.valueOf(MAX_FRAME),
                "INGEST_INFLIGHT_HIGH_WATER_BYTES", String.valueOf(HIGH_WATER),
                "INGEST_KAFKA_TIMEOUT_MS", "60000"));
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    @Test
    void fiftyMegabytesStreamThroughWithBoundedInFlightBytes() throws Exception {
        String token = ingest.provision("addon_big", "orga_big");
        byte[] frameBytes = frame(line(token, "z".repeat(140))).getBytes(StandardCharsets.UTF_8);
        int frames = (int) (50_000_000L / frameBytes.length) + 1;

        HttpResponse<String> response = ingest.send(ingest.post(token)
                .header("Logplex-Msg-Count", String.valueOf(frames))
                .POST(BodyPublishers.ofInputStream(() -> new RepeatingStream(frameBytes, frames))).build());

        assertEquals(204, response.statusCode(), response.body());
        List<ConsumerRecord<byte[], byte[]>> records = ingest.recordsFor(token);
        assertEquals(frames, records.size());
        long max = ingest.service.metrics().maxInFlightBytes();
        long bound = HIGH_WATER + 2 * (16 * 1024 + MAX_FRAME + 200); // two event loops, one slice each past the mark
        assertTrue(max > 0 && max <= bound, "max in-flight " + max + " <= " + bound);
    }

    /** {@code count} copies of one frame, generated as read: the test holds no 50 MB array either. */
    static final class RepeatingStream extends InputStream {
        private final byte[] frame;
        private long remaining;
        private int pos;

        RepeatingStream(byte[] frame, int count) {
            this.frame = frame;
            this.remaining = (long) frame.length * count;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                b[off + i] = frame[pos];
                pos = (pos + 1) % frame.length;
            }
            remaining -= n;
            return n;
        }
    }
}
