package io.addonlogs.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Steady POST load through the proxy, one provider thread per token, as a well-behaved log shipper sends: a body of
 * numbered lines, the next one once it is answered, a 503 resent after its {@code Retry-After}. Records every line a
 * 204 acknowledged (in the order sent, per token) and every answer; the test's thread asserts on them.
 */
final class ProxyLoad implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String logsUrl;
    private final int linesPerRequest;
    private final long pauseMs;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> providers = new ArrayList<>();
    /** Acknowledged line ids, per token, in the order they were sent. */
    private final Map<String, Queue<String>> acknowledged = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    /** Anything but 204 and a 503 with Retry-After: the proxy or a stopping instance let a provider down. */
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final AtomicInteger retried503 = new AtomicInteger();
    /** Requests whose connection closed before any answer (each resent), with when. */
    final Queue<String> unanswered = new ConcurrentLinkedQueue<>();

    /** Starts one provider per token, each POSTing {@code linesPerRequest} lines, {@code pauseMs} between bodies. */
    ProxyLoad(String ingestUrl, List<String> tokens, int linesPerRequest, long pauseMs) {
        this.logsUrl = ingestUrl + "/logs";
        this.linesPerRequest = linesPerRequest;
        this.pauseMs = pauseMs;
        for (int p = 0; p < tokens.size(); p++) {
            String token = tokens.get(p);
            acknowledged.put(token, new ConcurrentLinkedQueue<>());
            int provider = p;
            Thread t = new Thread(() -> provide(token, provider), "provider-" + p);
            t.setDaemon(true);
            t.start();
            providers.add(t);
        }
    }

    /** The line ids of {@code token} acknowledged so far, in the order sent. */
    List<String> acknowledged(String token) {
        return List.copyOf(acknowledged.get(token));
    }

    int acknowledgedLines() {
        return acknowledged.values().stream().mapToInt(Queue::size).sum();
    }

    int answers(int status) {
        AtomicInteger n = answers.get(status);
        return n == null ? 0 : n.get();
    }

    /** The message of a line this load sent, e.g. {@code line p0-r12-l3}; its id is the last word. */
    static String idOf(String messageOrRecord) {
        return messageOrRecord.substring(messageOrRecord.lastIndexOf(' ') + 1);
    }

    private void provide(String token, int provider) {
        String authorization = "Basic " + Base64.getEncoder().encodeToString(("token:" + token)
                .getBytes(StandardCharsets.UTF_8));
        for (int r = 0; running.get(); r++) {
            int request = r;
            List<String> ids = IntStream.range(0, linesPerRequest).mapToObj(i -> "p" + provider + "-r" + request + "-l" + i)
                    .toList();
            StringBuilder body = new StringBuilder();
            for (String id : ids) {
                String line = "<190>1 - proxy-test " + token + " web.1 - - line " + id;
                body.append(line.getBytes(StandardCharsets.UTF_8).length).append(' ').append(line);
            }
            boolean stored = false;
            while (!stored) {
                long waitMs = 200;
                try {
                    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(logsUrl))
                            .timeout(Duration.ofSeconds(30))
                            .header("Authorization", authorization)
                            .header("Content-Type", "application/logplex-1")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    Optional<String> retryAfter = response.headers().firstValue("Retry-After");
                    if (status == 204) {
                        acknowledged.get(token).addAll(ids);
                        stored = true;
                    } else if (status == 503 && retryAfter.isPresent()) {
                        retried503.incrementAndGet();
                        waitMs = Long.parseLong(retryAfter.get().trim()) * 1000;
                    } else {
                        failures.add(status + " " + response.headers().map() + " " + response.body());
                    }
                } catch (IOException e) {
                    // the connection closed before any answer: nothing acknowledged, so resend, as a shipper does
                    // (RFC 9112 9.3.1); counted apart from the answers, reported, bounded by the tests
                    unanswered.add(System.currentTimeMillis() + " " + e);
                } catch (InterruptedException e) {
                    return;
                }
                if (!stored && !sleep(waitMs)) {
                    return;
                }
            }
            if (!sleep(pauseMs)) {
                return;
            }
        }
    }

    private boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops sending; a body in flight is answered (and recorded) first. */
    @Override
    public void close() {
        running.set(false);
        for (Thread t : providers) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
