package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * A request answered before its body was read (broken framing, a body over the limit, refused headers) closes its
 * connection; the client, still sending, must nevertheless read the answer. Closing a socket with unread bytes
 * makes the kernel send a reset, which can destroy the answer before the client reads it (the client then sees
 * the connection closed with no response at all); the ingest therefore closes such connections by first
 * shutting down its sending side and dropping what still arrives. Each case is sent many times with the JDK's
 * HTTP client, which, like providers' clients, writes its whole body before it reads.
 */
class EarlyAnswerTest {

    private static final int MAX_BODY = 64 * 1024;
    private static final int ROUNDS = 100;
    private static IngestFixture ingest;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_MAX_BODY_BYTES", String.valueOf(MAX_BODY)));
        token = ingest.provision("addon_early", "orga_early");
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    @Test
    void declaredTooLargeBodyStillGetsItsAnswer() throws Exception {
        byte[] body = new byte[MAX_BODY * 4];
        Arrays.fill(body, (byte) 'x');
        everyRoundAnswered(() -> ingest.post(token).POST(HttpRequest.BodyPublishers.ofByteArray(body)), 413,
                "body_too_large");
    }

    @Test
    void chunkedBodyOverTheLimitStillGetsItsAnswer() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < MAX_BODY * 4 / 100; i++) {
            lines.add(Frames.line(token, "line " + i));
        }
        byte[] body = Frames.body(lines).getBytes(StandardCharsets.UTF_8);
        // valid frames, no Content-Length: the limit is found while reading, mid-body
        everyRoundAnswered(() -> ingest.post(token).POST(unsized(body)), 413, "body_too_large");
    }

    @Test
    void brokenFramingAtTheStartStillGetsItsAnswer() throws Exception {
        byte[] body = new byte[MAX_BODY - 1024];
        Arrays.fill(body, (byte) 'x'); // "xxx..." is no octet count
        everyRoundAnswered(() -> ingest.post(token).POST(HttpRequest.BodyPublishers.ofByteArray(body)), 400,
                "bad_framing");
    }

    private interface Request {
        HttpRequest.Builder build();
    }

    private static void everyRoundAnswered(Request request, int status, String code) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            try {
                HttpResponse<String> response = ingest.send(request.build().build());
                String got = response.statusCode() + " " + new JsonObject(response.body()).getString("code");
                if (!got.equals(status + " " + code)) {
                    wrong.add("round " + i + ": " + got);
                }
            } catch (java.io.IOException e) {
                wrong.add("round " + i + ": " + e);
            }
        }
        assertEquals(List.of(), wrong, wrong.size() + " of " + ROUNDS + " rounds got no answer or a wrong one");
        // and the service still serves a normal request
        HttpResponse<String> after = ingest.send(ingest.post(token).POST(HttpRequest.BodyPublishers.ofString(
                Frames.body(List.of(Frames.line(token, "still up"))))).build());
        assertEquals(204, after.statusCode(), after.body());
    }

    /** The body with no declared length: the client sends it chunked. */
    private static HttpRequest.BodyPublisher unsized(byte[] body) {
        HttpRequest.BodyPublisher sized = HttpRequest.BodyPublishers.ofByteArray(body);
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return -1;
            }

            @Override
            public void subscribe(Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
                sized.subscribe(subscriber);
            }
        };
    }
}
