package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.vertx.core.json.JsonObject;

/**
 * A token revoked while one of its chunked requests is open: what arrives after this instance applied the
 * revocation is not stored, and the request ends 401 with the verdict of what was.
 */
class RevocationMidRequestTest {

    @Test
    void framesAfterTheRevocationAreNotStoredAndTheRequestEnds401() throws Exception {
        try (IngestFixture ingest = new IngestFixture(TestKafka.shared(), Map.of("INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"))) {
            String token = ingest.provision("addon_revoked_mid", "orga_rev");
            List<String> before = new ArrayList<>();
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                before.add(line(token, "before revocation " + i));
                after.add(line(token, "after revocation " + i));
            }
            RawHttp.Response response;
            try (RawHttp.ChunkedUpload upload = new RawHttp.ChunkedUpload(ingest.service.port(),
                    "Authorization: " + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\n")) {
                upload.send(body(before).getBytes(UTF_8));
                Await.until(() -> ingest.recordsFor(token).size() == before.size(), "first part stored");

                // the admin API answers once this instance applied the revocation
                HttpResponse<String> revoke = ingest.http.send(HttpRequest.newBuilder(
                                ingest.adminUri("/admin/tokens/" + token))
                        .header("Authorization", "Bearer " + IngestFixture.ADMIN_TOKEN).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(204, revoke.statusCode());

                try {
                    upload.send(body(after).getBytes(UTF_8));
                    upload.endBody();
                } catch (java.io.IOException answeredEarly) {
                    // the server answered and closed already: the response says what it answered
                }
                response = upload.response();
            }
            assertEquals(401, response.status(), response.body());
            assertTrue(response.head().contains("WWW-Authenticate: Basic realm=\"logs\""), response.head());
            JsonObject verdict = new JsonObject(response.body());
            assertEquals("token_revoked", verdict.getString("code"));
            assertEquals(before.size(), verdict.getInteger("accepted"));
            assertEquals(before, IngestFixture.values(ingest.recordsFor(token)), "nothing after the revocation");
        }
    }
}
