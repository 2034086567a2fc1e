package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * What a client can hold on the server while sending little: partial frames (memory, capped process-wide) and
 * requests in progress (capped per token). Each bound answers with a clear status, and other providers are served.
 */
class HeldResourcesTest {

    /** {@code -Dingest.announcers=N} for the long variant (docs/reliability.md quotes 1,500). */
    private static final int ANNOUNCERS = Integer.getInteger("ingest.announcers", 300);

    /**
     * Connections that declare {@code Content-Length: 1000000}, send the 17 bytes {@code 262144 <190>1 - h} (a
     * 256 KiB frame announced, 10 bytes of it sent) and go quiet: the heap grows by far less than the announced
     * frames (before issue 15 each cost its 256 KiB), and a normal provider is served meanwhile and after.
     */
    @Test
    void announcedButUnsentFramesCostLittleMemory() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_IDLE_TIMEOUT_SECONDS", "300",
                "INGEST_HEADER_TIMEOUT_SECONDS", "300", "INGEST_BODY_TIMEOUT_SECONDS", "300",
                "INGEST_MAX_REQUESTS_PER_TOKEN", "100000", "INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String quiet = ingest.provision("addon_announcer", "orga_held");
            String normal = ingest.provision("addon_normal", "orga_held");
            byte[] announce = ("POST /logs HTTP/1.1\r\nHost: x\r\nAuthorization: " + IngestFixture.basic(quiet)
                    + "\r\nContent-Type: application/logplex-1\r\nContent-Length: 1000000\r\n\r\n262144 <190>1 - h")
                    .getBytes(ISO_8859_1);
            double bodyBytesBefore = bodyBytes(ingest);
            long heapBefore = heapAfterGc();
            List<Socket> announcers = new ArrayList<>();
            int served = 0;
            try {
                for (int i = 0; i < ANNOUNCERS; i++) {
                    Socket s = new Socket("127.0.0.1", ingest.service.port());
                    s.getOutputStream().write(announce);
                    announcers.add(s);
                    if (i % 100 == 0) {
                        assertEquals(204, post(ingest, normal, "meanwhile " + served++).statusCode());
                    }
                }
                Await.until(() -> bodyBytes(ingest) - bodyBytesBefore >= ANNOUNCERS * 17.0, "every announcer read");
                long grown = heapAfterGc() - heapBefore;
                System.out.printf("held resources: %d connections announcing 256 KiB frames: heap grew %d KiB "
                        + "(%d bytes per connection; the announced frames would be %d MiB)%n", ANNOUNCERS,
                        grown >> 10, grown / ANNOUNCERS, ANNOUNCERS / 4);
                assertTrue(grown < ANNOUNCERS * 64L * 1024, "heap grew " + (grown >> 10) + " KiB for " + ANNOUNCERS
                        + " connections");
                assertEquals(204, post(ingest, normal, "meanwhile " + served++).statusCode());
            } finally {
                for (Socket s : announcers) {
                    s.close();
                }
            }
            assertEquals(204, post(ingest, normal, "after " + served++).statusCode());
            assertEquals(served, ingest.recordsFor(normal).size());
            assertEquals(List.of(), ingest.recordsFor(quiet));
        }
    }

    /** Over INGEST_MAX_PARTIAL_FRAME_BYTES held in partial frames, process-wide, new requests get 503 + Retry-After. */
    @Test
    void partialFrameBytesAreCappedProcessWide() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_IDLE_TIMEOUT_SECONDS", "300",
                "INGEST_BODY_TIMEOUT_SECONDS", "300", "INGEST_MAX_PARTIAL_FRAME_BYTES", "65536",
                "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String holder = ingest.provision("addon_holder", "orga_held");
            String normal = ingest.provision("addon_normal2", "orga_held");
            try (RawHttp.ChunkedUpload holding = new RawHttp.ChunkedUpload(ingest.service.port(),
                    "Authorization: " + IngestFixture.basic(holder) + "\r\nContent-Type: application/logplex-1\r\n")) {
                holding.send(("200000 " + "h".repeat(70_000)).getBytes(ISO_8859_1)); // 70 KB of a 200 KB frame
                Await.until(() -> partialFrameBytes(ingest) >= 65536, "the partial frame held");
                HttpResponse<String> refused = post(ingest, normal, "while over the cap");
                assertEquals(503, refused.statusCode(), refused.body());
                assertEquals("overloaded", new JsonObject(refused.body()).getString("code"));
                assertEquals("5", refused.headers().firstValue("Retry-After").orElse("missing"));
            }
            Await.until(() -> partialFrameBytes(ingest) == 0, "the partial frame given back when its client left");
            assertEquals(204, post(ingest, normal, "after").statusCode(), "served again");
            assertEquals(List.of(line(normal, "after")), IngestFixture.values(ingest.recordsFor(normal)));
        }
    }

    /** Over INGEST_MAX_REQUESTS_PER_TOKEN requests in progress for one token: 429 + Retry-After; others served. */
    @Test
    void requestsInProgressAreCappedPerToken() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_MAX_REQUESTS_PER_TOKEN", "3",
                "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String busy = ingest.provision("addon_busy", "orga_held");
            String other = ingest.provision("addon_other", "orga_held");
            List<RawHttp.ChunkedUpload> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawHttp.ChunkedUpload upload = new RawHttp.ChunkedUpload(ingest.service.port(),
                            "Authorization: " + IngestFixture.basic(busy) + "\r\nContent-Type: application/logplex-1\r\n");
                    upload.send(body(List.of(line(busy, "open " + i))).getBytes(ISO_8859_1));
                    open.add(upload);
                }
                Await.until(() -> ingest.recordsFor(busy).size() == 3, "three requests in progress");
                HttpResponse<String> refused = post(ingest, busy, "a fourth");
                assertEquals(429, refused.statusCode(), refused.body());
                assertEquals("too_many_requests", new JsonObject(refused.body()).getString("code"));
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
                assertEquals(204, post(ingest, other, "another token").statusCode());
                assertEquals(204, open.get(0).finish().status());
                assertEquals(204, post(ingest, busy, "once one ended").statusCode());
            } finally {
                for (RawHttp.ChunkedUpload upload : open) {
                    upload.close();
                }
            }
            assertEquals(4, ingest.recordsFor(busy).size());
        }
    }

    private static HttpResponse<String> post(IngestFixture ingest, String token, String msg)
            throws IOException, InterruptedException {
        return ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body(List.of(line(token, msg))))).build());
    }

    private static double bodyBytes(IngestFixture ingest) {
        return ingest.runtime.registry().get("ingest_body_bytes").counter().count();
    }

    private static double partialFrameBytes(IngestFixture ingest) {
        return ingest.runtime.registry().get("ingest_partial_frame_bytes").gauge().value();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
