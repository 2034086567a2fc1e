package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** For tests over a real ingest: POSTs syslog lines as one logplex body, with the token as Basic-auth password. */
public final class LogplexPost {

    private LogplexPost() {
    }

    /** The octet-counted body of {@code lines}. */
    public static String body(List<String> lines) {
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            body.append(line.getBytes(StandardCharsets.UTF_8).length).append(' ').append(line);
        }
        return body.toString();
    }

    /** POSTs {@code lines} to {@code http://127.0.0.1:<port>/logs} as {@code token}; the answer. */
    public static HttpResponse<String> send(HttpClient http, int port, String token, List<String> lines)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logs"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("token:" + token)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(body(lines))).build(), HttpResponse.BodyHandlers.ofString());
    }
}
