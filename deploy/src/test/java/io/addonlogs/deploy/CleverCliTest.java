package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The platform's own CLI ({@code clever-tools} from npm, unmodified) against the local stack, with nothing but
 * {@code API_HOST}, {@code CLEVER_TOKEN} and {@code CLEVER_SECRET}: {@code clever logs --addon} by id and by real
 * id, {@code --since}/{@code --until}/{@code --search}/{@code --format json}, then a live tail that survives a
 * consumer restart with no line lost or doubled; and the same CLI signed in through the platform (a stand-in of
 * its sign-in endpoint) instead of a viewer JWT.
 */
class CleverCliTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void logsByIdAndRealIdThenLiveAcrossAConsumerRestart() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.onFreePorts(dir.resolve("data")))) {
            CleverCli cli = CleverCli.installed(dir.resolve("home"));
            // exactly what the launcher prints, run with the pinned CLI instead of npx's latest 4.x
            PrintedCommand printed = PrintedCommand.find(stack.instructions(0), "API_HOST=");
            assertTrue(printed.words().contains("clever-tools@4"), printed.line());
            Map<String, String> variables = variables(printed);
            assertEquals(List.of("API_HOST", "CLEVER_SECRET", "CLEVER_TOKEN"), variables.keySet().stream().sorted().toList());
            List<String> printedArgs = printed.words().subList(printed.words().indexOf("clever") + 1, printed.words().size());
            assertEquals(List.of("logs", "--addon", stack.demoRealId()), printedArgs);

            Instant since = Instant.now();
            post(stack, List.of("history one", "history two needle", "history three"));
            Instant until = Instant.now(); // the lines are stored (204): received before this

            CleverCli.Result byId = cli.run(variables, List.of("logs", "--addon", "addon_demo", "--since",
                    since.toString(), "--until", until.toString(), "--format", "json"), 120);
            assertEquals(0, byId.exitCode(), byId.stderr());
            assertEquals(List.of("history one", "history two needle", "history three"), messages(byId.stdout()));

            CleverCli.Result byRealId = cli.run(variables, List.of("logs", "--addon", stack.demoRealId(), "--since",
                    since.toString(), "--until", until.toString(), "--search", "needle", "--format", "json"), 120);
            assertEquals(0, byRealId.exitCode(), byRealId.stderr());
            assertEquals(List.of("history two needle"), messages(byRealId.stdout()));

            List<String> expected = new ArrayList<>(List.of("history one", "history two needle", "history three"));
            List<String> args = new ArrayList<>(printedArgs);
            args.addAll(List.of("--since", since.toString(), "--format", "json-stream"));
            Process live = cli.start(variables, args);
            try {
                BlockingQueue<String> lines = lines(live);
                assertEquals(expected, take(lines, 3));
                List<String> batch = numbered("live", 10);
                post(stack, batch);
                expected.addAll(batch);
                assertEquals(batch, take(lines, batch.size()));

                // lines keep arriving while the consumer restarts: the CLI reconnects with Last-Event-ID
                List<String> failures = new CopyOnWriteArrayList<>();
                List<String> during = numbered("during restart", 30);
                Thread poster = new Thread(() -> {
                    for (String line : during) {
                        try {
                            post(stack, List.of(line));
                            Thread.sleep(100); // spread the lines over the restart
                        } catch (Exception | AssertionError e) {
                            failures.add(line + ": " + e);
                        }
                    }
                });
                poster.start();
                stack.restartConsumer();
                poster.join(60_000);
                assertEquals(List.of(), failures);
                expected.addAll(during);
                post(stack, List.of("after restart"));
                expected.add("after restart");
                List<String> rest = take(lines, during.size() + 1);
                assertEquals(during.size() + 1, rest.size(), "every line after the restart, once: " + rest);
                assertEquals(expected.subList(expected.size() - rest.size(), expected.size()), rest);
                assertEquals(null, lines.poll(2, TimeUnit.SECONDS), "nothing doubled");
            } finally {
                live.destroy();
                live.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A platform that signs users in: the CLI's OAuth header (PLAINTEXT signature) checked by a stand-in. */
    @Test
    void theCliSignsInThroughThePlatform() throws Exception {
        HttpServer platform = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new CopyOnWriteArrayList<>();
        platform.createContext("/v2/self/whoami", exchange -> {
            String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            seen.add(authorization);
            Matcher token = Pattern.compile("oauth_token=\"([^\"]*)\"").matcher(authorization);
            Matcher signature = Pattern.compile("oauth_signature=\"[^\"]*%26([^\"]*)\"").matcher(authorization);
            boolean valid = authorization.startsWith("OAuth ") && token.find() && signature.find()
                    && token.group(1).equals("platform-token-ada") && signature.group(1).equals("ada-secret");
            byte[] body = (valid ? "{\"user\":{\"id\":\"user_ada\",\"name\":\"Ada\"},\"owners\":"
                    + "[{\"id\":\"orga_demo\",\"name\":\"Demo Inc\"}],\"addons\":[]}" : "{}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(valid ? 200 : 401, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        platform.start();
        Map<String, String> env = LocalStack.onFreePorts(dir.resolve("data"));
        env.put("VIEWER_AUTH_URL", "http://127.0.0.1:" + platform.getAddress().getPort() + "/v2/self/whoami");
        try (LocalStack stack = LocalStack.start(env)) {
            CleverCli cli = CleverCli.installed(dir.resolve("home"));
            Instant since = Instant.now();
            post(stack, List.of("signed in by the platform"));
            Instant until = Instant.now();
            List<String> args = List.of("logs", "--addon", stack.demoRealId(), "--since", since.toString(), "--until",
                    until.toString(), "--format", "json");
            String api = stack.consumerUrl();

            CleverCli.Result ok = cli.run(Map.of("API_HOST", api, "CLEVER_TOKEN", "platform-token-ada",
                    "CLEVER_SECRET", "ada-secret"), args, 120);
            assertEquals(0, ok.exitCode(), ok.stderr());
            assertEquals(List.of("signed in by the platform"), messages(ok.stdout()));
            assertTrue(seen.stream().allMatch(h -> h.contains("oauth_token=\"platform-token-ada\"")), seen.toString());

            CleverCli.Result refused = cli.run(Map.of("API_HOST", api, "CLEVER_TOKEN", "platform-token-ada",
                    "CLEVER_SECRET", "wrong-secret"), args, 120);
            assertNotEquals(0, refused.exitCode(), refused.stdout());
            assertTrue(refused.stderr().contains("did not accept"), refused.stderr());
        } finally {
            platform.stop(0);
        }
    }

    /** The {@code NAME=value} words that lead the printed command line. */
    static Map<String, String> variables(PrintedCommand printed) {
        Map<String, String> variables = new HashMap<>();
        for (String word : printed.words()) {
            if (!word.matches("[A-Z_]+=.*")) {
                break;
            }
            variables.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
        }
        return variables;
    }

    static void post(LocalStack stack, List<String> messages) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        messages.forEach(message -> body.append(LocalStack.demoBody(stack.demoLogToken(), message)));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(stack.ingestUrl() + "/logs"))
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("token:" + stack.demoLogToken()).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/logplex-1")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, response.statusCode(), response.body());
    }

    static List<String> numbered(String prefix, int count) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lines.add(prefix + " " + i);
        }
        return lines;
    }

    static List<String> messages(String jsonArray) {
        List<String> messages = new ArrayList<>();
        new JsonArray(jsonArray).forEach(entry -> messages.add(((JsonObject) entry).getString("message")));
        return messages;
    }

    /** The {@code message} of each JSON line the process prints, as they come. */
    static BlockingQueue<String> lines(Process process) {
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("{")) {
                        messages.add(new JsonObject(line).getString("message"));
                    }
                }
            } catch (IOException e) {
                messages.add("(stdout failed: " + e + ")");
            }
        }, "clever-stdout");
        reader.setDaemon(true);
        reader.start();
        return messages;
    }

    /** Up to {@code count} messages, waiting at most 60 s for each. */
    static List<String> take(BlockingQueue<String> messages, int count) throws InterruptedException {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String message = messages.poll(60, TimeUnit.SECONDS);
            if (message == null) {
                break;
            }
            got.add(message);
        }
        return got;
    }
}
