package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user meets it: start it, run what it prints. The POST and the SSE tail are done from the
 * printed command lines (parsed as a shell would), and the POST also with the real {@code curl} when installed.
 */
class LocalStackTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dataDir;

    @Test
    void printedCurlCommandsWorkAsPrinted() throws Exception {
        try (LocalStack stack = LocalStack.start(env())) {
            String printed = stack.instructions(0);
            PrintedCommand post = PrintedCommand.find(printed, "curl -i -X POST");
            PrintedCommand tail = PrintedCommand.find(printed, "curl -N");
            String dashboard = printed.lines().map(String::strip).filter(l -> l.contains("/dashboard/?")).findFirst()
                    .orElseThrow(() -> new AssertionError("no dashboard URL in:\n" + printed));
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(dashboard)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<script type=\"module\" src=\"dashboard.js\">"), page.body());
            assertTrue(dashboard.endsWith("#token=" + tail.options("-H").get(0).substring("Authorization: Bearer ".length())),
                    "the dashboard link carries the printed viewer token: " + dashboard);

            try (SseTail sse = tail(tail, "")) {
                assertEquals(204, postAsCurlWould(post), "printed POST: " + post.line());
                String event = sse.awaitData("Hello from the local stack");
                assertTrue(event.contains("\"resourceId\":\"addon_demo\""), event);

                if (curlInstalled()) {
                    Process curl = new ProcessBuilder("bash", "-c", post.line())
                            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                    String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(0, curl.waitFor(), out);
                    assertTrue(out.startsWith("HTTP/1.1 204"), out);
                    sse.awaitData("Hello from the local stack");
                }
            }
        }
    }

    @Test
    void restartKeepsKafkaDataTheClusterAndTheDemoToken() throws Exception {
        String firstToken;
        try (LocalStack stack = LocalStack.start(env())) {
            PrintedCommand post = PrintedCommand.find(stack.instructions(0), "curl -i -X POST");
            firstToken = post.option("--user").orElseThrow();
            assertEquals(204, postAsCurlWould(post));
        }
        String clusterId = Files.readString(dataDir.resolve("meta.properties"));
        try (LocalStack stack = LocalStack.start(env())) {
            String printed = stack.instructions(0);
            PrintedCommand post = PrintedCommand.find(printed, "curl -i -X POST");
            assertEquals(firstToken, post.option("--user").orElseThrow(), "the demo token survives a restart");
            assertEquals(clusterId, Files.readString(dataDir.resolve("meta.properties")));
            PrintedCommand tail = PrintedCommand.find(printed, "curl -N");
            try (SseTail sse = tail(tail, "?since=2000-01-01T00:00:00Z")) {
                sse.awaitData("Hello from the local stack");
            }
        }
    }

    @Test
    void aSecondStackOnTheSameDataDirectoryIsRefusedBeforeItsKafkaStarts() throws Exception {
        try (LocalStack first = LocalStack.start(env())) {
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> LocalStack.start(env()));
            assertTrue(refused.getMessage().startsWith("another local stack is running on "), refused.getMessage());
            PrintedCommand post = PrintedCommand.find(first.instructions(0), "curl -i -X POST");
            assertEquals(204, postAsCurlWould(post), "the first stack is unaffected");
        }
        try (LocalStack again = LocalStack.start(env())) {
            assertTrue(again.instructions(0).contains("is up"), "the directory is free once the first stopped");
        }
    }

    private Map<String, String> env() {
        return LocalStack.onFreePorts(dataDir);
    }

    /** What {@code curl -X POST URL --user U:P -H H... --data-binary B} sends. */
    private static int postAsCurlWould(PrintedCommand post) throws IOException, InterruptedException {
        String user = post.option("--user").orElseThrow();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(post.url()))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder()
                        .encodeToString(user.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(post.option("--data-binary").orElseThrow()));
        headers(post, request);
        assertEquals("POST", post.option("-X").orElseThrow());
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void headers(PrintedCommand command, HttpRequest.Builder request) {
        for (String header : command.options("-H")) {
            int colon = header.indexOf(':');
            request.header(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
        }
    }

    private static boolean curlInstalled() {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "curl")));
    }

    /** The printed {@code curl -N} tail (plus {@code query}). */
    private static SseTail tail(PrintedCommand command, String query) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(command.url() + query));
        headers(command, request);
        return SseTail.open(request.build());
    }
}
