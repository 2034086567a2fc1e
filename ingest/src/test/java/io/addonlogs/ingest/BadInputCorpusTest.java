package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * Every body of the corpus in {@code src/test/resources/bad-input} (made by its {@code generate.py}) gets its
 * documented answer; what ingest stores is exactly the frames the answers say were accepted, every one a valid
 * RFC 5424 line of the request's token; and the service still serves a normal request afterwards.
 */
class BadInputCorpusTest {

    private static final String TOKEN = "lt_corpus0123456789abcdefghijklmnopq";
    private static final String CORPUS = "/bad-input/";

    private record Case(String file, int status, String code, String accepted, JsonObject headers, String what) {
    }

    @Test
    void everyBadBodyGetsItsDocumentedAnswerAndNothingMalformedIsStored() throws Exception {
        List<Case> cases = manifest();
        assertTrue(cases.size() >= 200, cases.size() + " cases");
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_MAX_BODY_BYTES", "300000",
                "INGEST_TOKEN_LINES_PER_SECOND", "0", "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            ingest.registerDirectly(TOKEN, new TokenRecord("addon_corpus", "orga_corpus", Instant.now()));
            List<String> failures = new ArrayList<>();
            long stored = 0;
            for (Case c : cases) {
                HttpResponse<String> response = send(ingest, c);
                String got = response.statusCode() + " " + response.body();
                if (response.statusCode() != c.status()) {
                    failures.add(c.file() + " (" + c.what() + "): expected " + c.status() + ", got " + got);
                    continue;
                }
                JsonObject json = response.body().isEmpty() ? new JsonObject() : new JsonObject(response.body());
                if (!c.code().isEmpty() && !c.code().equals(json.getString("code"))) {
                    failures.add(c.file() + ": expected code " + c.code() + ", got " + got);
                }
                long accepted = c.status() == 204 ? Long.parseLong(c.accepted())
                        : json.getLong("accepted", 0L);
                if (!c.accepted().equals("-") && accepted != Long.parseLong(c.accepted())) {
                    failures.add(c.file() + ": expected " + c.accepted() + " accepted, got " + got);
                }
                stored += accepted;
            }
            assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases answered wrongly");

            List<ConsumerRecord<byte[], byte[]>> records = ingest.recordsFor(TOKEN);
            assertEquals(stored, records.size(), "stored = what the answers said was accepted");
            Rfc5424Header header = new Rfc5424Header();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                assertTrue(header.parse(record.value(), 0, record.value().length)
                        && header.appNameEquals(TOKEN.getBytes(StandardCharsets.UTF_8)),
                        "a stored record is a valid line of the token: " + new String(record.value(), StandardCharsets.UTF_8));
            }
            System.out.printf("bad-input corpus: %d cases answered as documented; %d frames stored, all valid%n",
                    cases.size(), stored);

            HttpResponse<String> after = ingest.send(ingest.post(TOKEN).POST(HttpRequest.BodyPublishers.ofString(
                    Frames.body(List.of(Frames.line(TOKEN, "still up"))))).build());
            assertEquals(204, after.statusCode(), "the service still serves providers");
        }
    }

    private static HttpResponse<String> send(IngestFixture ingest, Case c) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(ingest.logsUri())
                .timeout(java.time.Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(c.file())));
        Map<String, Object> headers = new java.util.HashMap<>(Map.of(
                "Authorization", IngestFixture.basic(TOKEN), "Content-Type", "application/logplex-1"));
        c.headers().forEach(e -> headers.put(e.getKey(), e.getValue()));
        headers.forEach((name, value) -> {
            if (value != null) {
                request.setHeader(name, value.toString());
            }
        });
        return ingest.send(request.build());
    }

    private static byte[] body(String file) throws IOException {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream(CORPUS + "cases/" + file)) {
            return in.readAllBytes();
        }
    }

    private static List<Case> manifest() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream(CORPUS + "manifest.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                cases.add(new Case(f[0], Integer.parseInt(f[1]), f[2], f[3], new JsonObject(f[4]), f[5]));
            }
        }
        return cases;
    }
}
