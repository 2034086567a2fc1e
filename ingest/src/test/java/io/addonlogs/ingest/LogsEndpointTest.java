package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.frame;
import static io.addonlogs.ingest.Frames.line;
import static io.addonlogs.ingest.IngestFixture.values;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** POST /logs against a real broker: each test asserts the answer and exactly what Kafka holds for its token. */
class LogsEndpointTest {

    static IngestFixture ingest;

    @BeforeAll
    static void start() {
        ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_MAX_BODY_BYTES", "200000",
                "INGEST_MAX_FRAME_BYTES", "4096"));
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    @Test
    void seedCurlExampleVerbatimStoresTwoRecords() throws Exception {
        ingest.registerDirectly("logtoken_foobar", new TokenRecord("addon_seed", "orga_seed", Instant.now()));
        String body = "72 <190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo"
                + "72 <190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - bar";
        long before = System.currentTimeMillis();
        HttpResponse<String> response = ingest.send(ingest.post("logtoken_foobar")
                .POST(BodyPublishers.ofString(body)).build());

        assertEquals(204, response.statusCode(), response.body());
        List<ConsumerRecord<byte[], byte[]>> records = ingest.recordsFor("logtoken_foobar");
        assertEquals(List.of("<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo",
                "<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - bar"), values(records));
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertArrayEquals("addon_seed".getBytes(UTF_8), record.headers().lastHeader("addon-id").value());
            assertTrue(record.timestamp() >= before && record.timestamp() <= System.currentTimeMillis(),
                    "record timestamp is the receive time");
        }
    }

    @Test
    void chunkedBodyWithoutLengthInOddPieces() throws Exception {
        String token = ingest.provision("addon_chunked", "orga_1");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            lines.add(line(token, "line " + i + " é☃ with\nnewline"));
        }
        RawHttp.Response response = RawHttp.postChunked(ingest.service.port(),
                "Authorization: " + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\n",
                body(lines).getBytes(UTF_8), 1, 7, 333, 2, 64);
        assertEquals(204, response.status(), response.body());
        assertEquals(lines, values(ingest.recordsFor(token)));
    }

    @Test
    void gzipBodyIsInflatedAsAStream() throws Exception {
        String token = ingest.provision("addon_gzip", "orga_1");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            lines.add(line(token, "compressed line " + i));
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            gz.write(body(lines).getBytes(UTF_8));
        }
        HttpResponse<String> response = ingest.send(ingest.post(token).header("Content-Encoding", "gzip")
                .header("Logplex-Msg-Count", "500")
                .POST(BodyPublishers.ofByteArray(compressed.toByteArray())).build());
        assertEquals(204, response.statusCode(), response.body());
        assertEquals(lines, values(ingest.recordsFor(token)));
    }

    @Test
    void rejectedFramesAreCountedAndTheOthersStored() throws Exception {
        String token = ingest.provision("addon_mixed", "orga_1");
        String other = ingest.provision("addon_other", "orga_2");
        List<String> lines = List.of(line(token, "ok 1"), "<192>1 - h " + token + " p - - bad pri",
                line(other, "someone else's token"), line(token, "ok 2"));
        HttpResponse<String> response = ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body(lines))).build());

        assertEquals(400, response.statusCode());
        JsonObject verdict = new JsonObject(response.body());
        assertEquals("invalid_frames", verdict.getString("code"));
        assertEquals(2, verdict.getInteger("accepted"));
        assertEquals(2, verdict.getInteger("rejected"));
        JsonArray rejections = verdict.getJsonArray("rejections");
        assertEquals(new JsonObject().put("frame", 1).put("offset", frame(lines.get(0)).length())
                .put("reason", "PRI: 192 is out of range 0..191"), rejections.getJsonObject(0));
        assertEquals(2, rejections.getJsonObject(1).getInteger("frame"));
        assertEquals("APP-NAME: does not match the log token of the request",
                rejections.getJsonObject(1).getString("reason"));
        assertTrue(!response.body().contains(token) && !response.body().contains(other), "no token in the verdict");
        assertEquals(List.of(lines.get(0), lines.get(3)), values(ingest.recordsFor(token)));
        assertEquals(List.of(), ingest.recordsFor(other));
    }

    @Test
    void brokenFramingStopsParsingAndReportsTheOffset() throws Exception {
        String token = ingest.provision("addon_framing", "orga_1");
        String good = frame(line(token, "before the break"));
        String body = good + "0" + frame(line(token, "after the break"));
        HttpResponse<String> response = ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body)).build());

        assertEquals(400, response.statusCode());
        JsonObject verdict = new JsonObject(response.body());
        assertEquals("bad_framing", verdict.getString("code"));
        assertEquals(1, verdict.getInteger("accepted"));
        assertEquals(new JsonObject().put("offset", good.length()).put("reason", "frame length must not start with 0"),
                verdict.getJsonObject("framingError"));
        assertEquals(List.of(line(token, "before the break")), values(ingest.recordsFor(token)));
    }

    @Test
    void truncatedFinalFrameIsAFramingError() throws Exception {
        String token = ingest.provision("addon_truncated", "orga_1");
        String first = frame(line(token, "complete"));
        String body = first + "500 " + line(token, "cut short");
        JsonObject verdict = new JsonObject(ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body)).build())
                .body());
        assertEquals("bad_framing", verdict.getString("code"));
        assertEquals(first.length(), verdict.getJsonObject("framingError").getLong("offset"));
        assertTrue(verdict.getJsonObject("framingError").getString("reason").startsWith("truncated frame"));
        assertEquals(List.of(line(token, "complete")), values(ingest.recordsFor(token)));
    }

    @Test
    void frameOverTheSizeLimitBreaksFraming() throws Exception {
        String token = ingest.provision("addon_bigframe", "orga_1");
        String body = frame(line(token, "x".repeat(5000)));
        JsonObject verdict = new JsonObject(ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body)).build())
                .body());
        assertEquals("frame length exceeds the limit of 4096 bytes", verdict.getJsonObject("framingError")
                .getString("reason"));
        assertEquals(List.of(), ingest.recordsFor(token));
    }

    @Test
    void msgCountMismatchIs400ButStoredFramesStayStored() throws Exception {
        String token = ingest.provision("addon_count", "orga_1");
        List<String> lines = List.of(line(token, "a"), line(token, "b"));
        HttpResponse<String> response = ingest.send(ingest.post(token).header("Logplex-Msg-Count", "3")
                .POST(BodyPublishers.ofString(body(lines))).build());
        assertEquals(400, response.statusCode());
        JsonObject verdict = new JsonObject(response.body());
        assertEquals("msg_count_mismatch", verdict.getString("code"));
        assertEquals(2, verdict.getInteger("accepted"));
        assertEquals(lines, values(ingest.recordsFor(token)));
    }

    @Test
    void authFailuresAre401WithAChallengeAndStoreNothing() throws Exception {
        String token = ingest.provision("addon_auth", "orga_1");
        String body = body(List.of(line(token, "never stored")));
        List<java.net.http.HttpRequest> requests = List.of(
                java.net.http.HttpRequest.newBuilder(ingest.logsUri()).header("Content-Type", "application/logplex-1")
                        .POST(BodyPublishers.ofString(body)).build(),
                ingest.post(token).setHeader("Authorization", "Basic !!notbase64").POST(BodyPublishers.ofString(body)).build(),
                ingest.post(token).setHeader("Authorization", "Bearer " + token).POST(BodyPublishers.ofString(body)).build(),
                ingest.post("lt_unknown").POST(BodyPublishers.ofString(body)).build());
        for (var request : requests) {
            HttpResponse<String> response = ingest.send(request);
            assertEquals(401, response.statusCode(), response.body());
            assertEquals("Basic realm=\"logs\"", response.headers().firstValue("WWW-Authenticate").orElse(""));
            assertEquals("unauthorized", new JsonObject(response.body()).getString("code"));
        }
        HttpResponse<String> otherUser = ingest.send(java.net.http.HttpRequest.newBuilder(ingest.logsUri())
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(("user:" + token)
                        .getBytes(UTF_8)))
                .header("Content-Type", "application/logplex-1").POST(BodyPublishers.ofString(body)).build());
        assertEquals(401, otherUser.statusCode());
        assertEquals(List.of(), ingest.recordsFor(token));
    }

    @Test
    void revokedTokenIs401() throws Exception {
        String token = ingest.provision("addon_revoked", "orga_1");
        String body = body(List.of(line(token, "before revocation")));
        assertEquals(204, ingest.send(ingest.post(token).POST(BodyPublishers.ofString(body)).build()).statusCode());

        HttpResponse<String> revoke = ingest.http.send(java.net.http.HttpRequest.newBuilder(
                        ingest.adminUri("/admin/tokens/" + token))
                .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, revoke.statusCode());

        String after = body(List.of(line(token, "after revocation")));
        assertEquals(401, ingest.send(ingest.post(token).POST(BodyPublishers.ofString(after)).build()).statusCode());
        assertEquals(List.of(line(token, "before revocation")), values(ingest.recordsFor(token)));
    }

    @Test
    void wrongTypeOrEncodingIs415() throws Exception {
        String token = ingest.provision("addon_types", "orga_1");
        String body = body(List.of(line(token, "x")));
        HttpResponse<String> json = ingest.send(ingest.post(token).setHeader("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body)).build());
        assertEquals(415, json.statusCode());
        assertEquals("unsupported_media_type", new JsonObject(json.body()).getString("code"));
        HttpResponse<String> br = ingest.send(ingest.post(token).header("Content-Encoding", "br")
                .POST(BodyPublishers.ofString(body)).build());
        assertEquals(415, br.statusCode());
        // parameters are ignored, and the x- variant is accepted
        assertEquals(204, ingest.send(ingest.post(token).setHeader("Content-Type", "application/x-logplex-1; charset=utf-8")
                .POST(BodyPublishers.ofString(body)).build()).statusCode());
        assertEquals(List.of(line(token, "x")), values(ingest.recordsFor(token)));
    }

    @Test
    void declaredOrStreamedBodyOverTheLimitIs413() throws Exception {
        String token = ingest.provision("addon_large", "orga_1");
        String line = line(token, "y".repeat(900));
        StringBuilder big = new StringBuilder();
        int frames = 0;
        while (big.length() <= 200_000) {
            big.append(frame(line));
            frames++;
        }
        HttpResponse<String> declared = ingest.send(ingest.post(token)
                .POST(BodyPublishers.ofString(big.toString())).build());
        assertEquals(413, declared.statusCode());
        assertEquals(List.of(), ingest.recordsFor(token), "a declared length over the limit is refused unread");

        RawHttp.Response streamed = RawHttp.postChunked(ingest.service.port(),
                "Authorization: " + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\n",
                big.toString().getBytes(UTF_8), 8192);
        assertEquals(413, streamed.status());
        JsonObject verdict = new JsonObject(streamed.body());
        assertEquals("body_too_large", verdict.getString("code"));
        int accepted = verdict.getInteger("accepted");
        assertTrue(accepted > 0 && accepted < frames, "frames before the limit are stored: " + accepted);
        assertEquals(accepted, ingest.recordsFor(token).size(), "the verdict counts exactly what is stored");
    }

    @Test
    void otherPathsAndMethods() throws Exception {
        HttpResponse<String> get = ingest.send(java.net.http.HttpRequest.newBuilder(ingest.logsUri()).GET().build());
        assertEquals(405, get.statusCode());
        HttpResponse<String> other = ingest.send(java.net.http.HttpRequest.newBuilder(
                ingest.logsUri().resolve("/elsewhere")).GET().build());
        assertEquals(404, other.statusCode());
        assertEquals("not_found", new JsonObject(other.body()).getString("code"));
    }
}
