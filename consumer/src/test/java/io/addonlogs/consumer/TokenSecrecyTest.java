package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;

import io.addonlogs.kafka.embedded.TestKafka;

/**
 * A log token never leaves the ingest in anything another party reads: not in SSE bytes, not in any log line of
 * either service (captured at the root logger, DEBUG included), not in metrics, not in error bodies; with valid,
 * invalid, mismatching and revoked traffic.
 */
class TokenSecrecyTest {

    @Test
    void theLogTokenAppearsInNoSseByteLogLineMetricOrErrorBody() throws Exception {
        String token = "lt_secret" + Long.toHexString(System.nanoTime()) + "XyZ";
        List<String> exposed = new ArrayList<>();
        List<ILoggingEvent> logs;
        try (CapturedLogs captured = CapturedLogs.start(Level.DEBUG);
             TailFixture fixture = new TailFixture(TestKafka.shared(), 3, 1, Map.of())) {
            logs = captured.events();
            fixture.register(token, "addon_secret", "orga_secret");
            TailService consumer = fixture.consumers.get(0);
            try (SseClient sse = SseClient.open(fixture.tailUri(consumer, "orga_secret", "addon_secret", ""),
                    TailFixture.bearer(TailFixture.viewerOf("orga_secret")))) {
                fixture.post(token, List.of("hello secret world"));
                assertEquals("RESOURCE_LOG", sse.next(20_000).event());
                exposed.add(sse.allText());
            }
            // error bodies: another token's APP-NAME, a broken frame, an unknown token, then the revoked token
            exposed.add(post(fixture, token, TailFixture.line("lt_other_app_name_0000000000", "x")));
            exposed.add(post(fixture, token, "not a frame"));
            exposed.add(post(fixture, token + "nope", TailFixture.line(token + "nope", "x")));
            HttpResponse<String> revoked = fixture.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + fixture.ingest.managementPort() + "/admin/tokens/" + token))
                    .header("Authorization", "Bearer " + TailFixture.ADMIN_TOKEN).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, revoked.statusCode());
            exposed.add(revoked.body());
            exposed.add(post(fixture, token, TailFixture.line(token, "after revocation")));
            exposed.add(get(fixture, "http://127.0.0.1:" + fixture.ingest.managementPort() + "/metrics"));
            exposed.add(get(fixture, "http://127.0.0.1:" + consumer.managementPort() + "/metrics"));
        }
        for (ILoggingEvent event : logs) {
            exposed.add(event.getFormattedMessage() + " " + event.getMDCPropertyMap()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy())));
        }
        assertTrue(logs.size() > 10, "log lines were captured: " + logs.size());
        for (String text : exposed) {
            assertFalse(text.contains(token), "the token leaked in: " + text);
        }
        System.out.printf("token secrecy: checked %d log lines, SSE bytes, 4 error bodies and both /metrics%n",
                logs.size());
    }

    private static String post(TailFixture fixture, String token, String line) throws Exception {
        HttpResponse<String> response = fixture.http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + fixture.ingest.port() + "/logs"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("token:" + token)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(line.getBytes(StandardCharsets.UTF_8).length + " " + line))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() >= 400, response.statusCode() + " " + response.body());
        return response.body();
    }

    private static String get(TailFixture fixture, String url) throws Exception {
        return fixture.http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
