package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static io.addonlogs.ingest.IngestFixture.values;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * Request framing per RFC 9112, over raw sockets: a Transfer-Encoding other than {@code chunked}, a missing Host,
 * a broken chunk. Each case asserts the one answer on the connection, that the connection is closed when the rest
 * of the bytes cannot be trusted, and exactly what Kafka holds.
 */
class HttpStrictnessTest {

    static IngestFixture ingest;

    @BeforeAll
    static void start() {
        // a long idle timeout: only the server's own decision can close a connection during a test
        ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_IDLE_TIMEOUT_SECONDS", "120"));
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    private static String headers(String token) {
        return "Host: localhost\r\nAuthorization: " + IngestFixture.basic(token)
                + "\r\nContent-Type: application/logplex-1\r\n";
    }

    private static String exchange(String raw) throws Exception {
        return RawHttp.exchange(ingest.service.port(), raw.getBytes(ISO_8859_1), 5000);
    }

    /**
     * The answer's JSON body (the text after the head; null when empty), asserting it is the only response on the
     * connection and that the server closed it.
     */
    private static JsonObject onlyAnswer(String answer, int status) {
        assertTrue(answer.startsWith("HTTP/1.1 " + status + " "), answer);
        assertEquals(1, java.util.regex.Pattern.compile("(^|\n)HTTP/1\\.1 \\d{3} ").matcher(answer).results().count(),
                "one response only: " + answer);
        assertFalse(answer.endsWith(RawHttp.STILL_OPEN), "the connection is closed: " + answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        return body.isEmpty() ? null : new JsonObject(body);
    }

    /** A second request hidden in what a length-reading server takes for the first one's body. */
    private static String smuggled(String token) {
        String hidden = body(List.of(line(token, "smuggled")));
        return "POST /logs HTTP/1.1\r\n" + headers(token) + "Content-Length: " + hidden.length() + "\r\n\r\n" + hidden;
    }

    @ParameterizedTest
    @ValueSource(strings = {"xchunked", "identity", "gzip"})
    void transferEncodingOtherThanChunkedWithContentLengthIs501AndCloses(String encoding) throws Exception {
        String token = ingest.provision("addon_te_cl", "orga_1");
        String first = body(List.of(line(token, "first")));
        String answer = exchange("POST /logs HTTP/1.1\r\n" + headers(token) + "Transfer-Encoding: " + encoding
                + "\r\nContent-Length: " + first.length() + "\r\n\r\n" + first + smuggled(token));
        assertEquals("unsupported_transfer_encoding", onlyAnswer(answer, 501).getString("code"));
        assertEquals(List.of(), ingest.recordsFor(token), "neither the body nor the smuggled request is stored");
    }

    @ParameterizedTest
    @ValueSource(strings = {"xchunked", "gzip, chunked", "chunked;x=1"})
    void transferEncodingOtherThanChunkedAloneIs501AndCloses(String encoding) throws Exception {
        String token = ingest.provision("addon_te", "orga_1");
        String first = body(List.of(line(token, "first")));
        String chunk = Integer.toHexString(first.length()) + "\r\n" + first + "\r\n0\r\n\r\n";
        String answer = exchange("POST /logs HTTP/1.1\r\n" + headers(token) + "Transfer-Encoding: " + encoding
                + "\r\n\r\n" + chunk + smuggled(token));
        assertEquals("unsupported_transfer_encoding", onlyAnswer(answer, 501).getString("code"));
        assertEquals(List.of(), ingest.recordsFor(token));
    }

    /** Cases Vert.x (Netty's decoder) refuses itself, before any handler: 400 without a body, and closed. */
    @Test
    void framingVertxRefusesItselfIs400AndCloses() throws Exception {
        String token = ingest.provision("addon_te_vertx", "orga_1");
        String first = body(List.of(line(token, "first")));
        String chunked = Integer.toHexString(first.length()) + "\r\n" + first + "\r\n0\r\n\r\n";
        String twoFields = exchange("POST /logs HTTP/1.1\r\n" + headers(token) + "Transfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: identity\r\n\r\n" + chunked + smuggled(token));
        assertEquals(null, onlyAnswer(twoFields, 400));
        String chunkedWithLength = exchange("POST /logs HTTP/1.1\r\n" + headers(token)
                + "Transfer-Encoding: gzip, chunked\r\nContent-Length: " + chunked.length() + "\r\n\r\n" + chunked
                + smuggled(token));
        assertEquals(null, onlyAnswer(chunkedWithLength, 400));
        assertEquals(List.of(), ingest.recordsFor(token));
    }

    @Test
    void requestWithoutHostIs400() throws Exception {
        String token = ingest.provision("addon_no_host", "orga_1");
        String first = body(List.of(line(token, "first")));
        String answer = exchange("POST /logs HTTP/1.1\r\nAuthorization: " + IngestFixture.basic(token)
                + "\r\nContent-Type: application/logplex-1\r\nContent-Length: " + first.length() + "\r\n\r\n" + first);
        assertEquals("missing_host", onlyAnswer(answer, 400).getString("code"));
        String twice = exchange("POST /logs HTTP/1.1\r\nHost: a\r\nHost: b\r\nAuthorization: "
                + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\nContent-Length: "
                + first.length() + "\r\n\r\n" + first);
        assertEquals("missing_host", onlyAnswer(twice, 400).getString("code"));
        assertEquals(List.of(), ingest.recordsFor(token));
    }

    @Test
    void brokenChunkSizeAfterStoredFramesIs400WithTheVerdict() throws Exception {
        String token = ingest.provision("addon_bad_chunk", "orga_1");
        String first = body(List.of(line(token, "first")));
        String answer = exchange("POST /logs HTTP/1.1\r\n" + headers(token) + "Transfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(first.length()) + "\r\n" + first + "\r\nzz\r\nabc\r\n0\r\n\r\n");
        JsonObject verdict = onlyAnswer(answer, 400);
        assertEquals("bad_framing", verdict.getString("code"));
        assertEquals(1, verdict.getInteger("accepted"));
        assertEquals(0, verdict.getInteger("rejected"));
        assertEquals(first.length(), verdict.getJsonObject("framingError").getLong("offset"));
        assertTrue(verdict.getJsonObject("framingError").getString("reason").startsWith("chunked transfer coding"),
                verdict.encode());
        assertEquals(List.of(line(token, "first")), values(ingest.recordsFor(token)));
    }

    @Test
    void aPlainChunkedRequestIsStillServed() throws Exception {
        String token = ingest.provision("addon_plain_chunked", "orga_1");
        String first = body(List.of(line(token, "first")));
        String answer = exchange("POST /logs HTTP/1.1\r\n" + headers(token) + "Transfer-Encoding: Chunked\r\n"
                + "Connection: close\r\n\r\n" + Integer.toHexString(first.length()) + "\r\n" + first + "\r\n0\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 204 "), answer);
        assertEquals(List.of(line(token, "first")), values(ingest.recordsFor(token)));
    }
}
