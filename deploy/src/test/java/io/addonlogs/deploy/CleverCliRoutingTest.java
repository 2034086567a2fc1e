package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's own CLI ({@code clever-tools}, unmodified) against a consumer that routes viewers by partition
 * ({@code CONSUMER_ROUTE_BY_PARTITION=true}, docs/operations.md "Routing viewers"): each tail it opens names no
 * partition and is answered 307 to the same URL plus {@code partition=N}; the CLI (Node's fetch) follows it with its
 * headers, so {@code clever logs --addon} gets its history ({@code --since}/{@code --until}) and its live tail whole.
 * The CLI has no partition option and the consumer serves no tail that names none: its lines can only come through
 * the redirect (without following it, the CLI stops on the 307 as on any other answer but 200).
 */
class CleverCliRoutingTest {

    private static final HttpClient NO_REDIRECTS = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path dir;

    @Test
    void theCliFollowsThePartitionRedirectForHistoryAndLive() throws Exception {
        Map<String, String> env = LocalStack.onFreePorts(dir.resolve("data"));
        env.put("CONSUMER_ROUTE_BY_PARTITION", "true");
        try (LocalStack stack = LocalStack.start(env)) {
            CleverCli cli = CleverCli.installed(dir.resolve("home"));
            Map<String, String> variables = CleverCliTest.variables(PrintedCommand.find(stack.instructions(0),
                    "API_HOST="));
            String addon = stack.demoRealId();

            // what the CLI meets: the tail URL it builds, answered 307 to the partition's URL
            String path = "/v4/logs/organisations/" + LocalStack.DEMO_OWNER + "/resources/" + addon + "/logs";
            HttpResponse<Void> redirect = NO_REDIRECTS.send(HttpRequest.newBuilder(URI.create(stack.consumerUrl()
                    + path + "?since=" + Instant.now())).header("Authorization", "Bearer "
                    + variables.get("CLEVER_TOKEN")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(307, redirect.statusCode());
            String location = redirect.headers().firstValue("Location").orElse("");
            assertTrue(location.matches("\\Q" + path + "?since=\\E[^&]+&partition=\\d+"), location);

            Instant since = Instant.now();
            List<String> history = List.of("routed one", "routed two", "routed three");
            CleverCliTest.post(stack, history);
            Instant until = Instant.now();
            CleverCli.Result result = cli.run(variables, List.of("logs", "--addon", addon, "--since",
                    since.toString(), "--until", until.toString(), "--format", "json"), 120);
            assertEquals(0, result.exitCode(), result.stderr());
            assertEquals(history, CleverCliTest.messages(result.stdout()));

            Process live = cli.start(variables, List.of("logs", "--addon", addon, "--since", since.toString(),
                    "--format", "json-stream"));
            try {
                BlockingQueue<String> lines = CleverCliTest.lines(live);
                assertEquals(history, CleverCliTest.take(lines, history.size()));
                List<String> batch = CleverCliTest.numbered("routed live", 10);
                CleverCliTest.post(stack, batch);
                assertEquals(batch, CleverCliTest.take(lines, batch.size()));
                assertNull(lines.poll(2, TimeUnit.SECONDS), "nothing doubled");
            } finally {
                live.destroy();
                live.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
