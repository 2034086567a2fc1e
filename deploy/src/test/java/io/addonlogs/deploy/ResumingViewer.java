package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.json.JsonObject;

/**
 * A viewer as a browser's EventSource behaves: one SSE tail of an add-on, and when the stream ends or breaks, a new
 * request with {@code Last-Event-ID} set to the last event received (after a refusal, again after a short wait).
 * Collects the line ids it is given, in order; the test's thread compares them with what Kafka holds.
 */
final class ResumingViewer implements AutoCloseable {

    /** Following redirects as EventSource does: the consumers send a viewer to the URL naming its partition. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(5)).build();

    private final String url;
    private final String jwt;
    private final Thread reader;
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile InputStream body;
    private String lastEventId;
    final Queue<String> lines = new ConcurrentLinkedQueue<>();
    final Queue<String> eventIds = new ConcurrentLinkedQueue<>();
    /** Streams that ended or broke, each followed by a resume. */
    final AtomicInteger drops = new AtomicInteger();
    /** Answers other than 200 to a (re)connection, by status (-1: no answer). */
    final Map<Integer, AtomicInteger> refusals = new ConcurrentHashMap<>();

    ResumingViewer(String consumerUrl, String ownerId, String addonId, String jwt) {
        this.url = consumerUrl + "/v4/logs/organisations/" + ownerId + "/resources/" + addonId + "/logs";
        this.jwt = jwt;
        this.reader = new Thread(this::run, "viewer-" + addonId);
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for the first stream's 200: from then on every line stored for the add-on reaches this viewer. */
    ResumingViewer awaitConnected() throws InterruptedException {
        if (!connected.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no stream for " + url + " within 30 s: " + refusals);
        }
        return this;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits up to 30 s for {@code count} lines; returns either way ({@link #assertSawExactly} tells the rest). */
    void awaitLines(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lines.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /**
     * Fails unless this viewer was given exactly {@code stored} (the add-on's records in Kafka, in offset order): no
     * gap, no duplicate, no reordering across its resumptions, and each event's id once.
     */
    void assertSawExactly(List<String> stored, String addon) {
        assertEquals("", difference(stored, lines()), addon + ": the viewer saw exactly what Kafka holds, in order, "
                + "each record once");
        assertEquals(eventIds.size(), new HashSet<>(eventIds).size(), addon + ": event ids unique");
    }

    /** Where two sequences first part, with a few elements of each from there; empty when they are equal. */
    private static String difference(List<String> expected, List<String> actual) {
        int i = 0;
        while (i < expected.size() && i < actual.size() && expected.get(i).equals(actual.get(i))) {
            i++;
        }
        if (i == expected.size() && i == actual.size()) {
            return "";
        }
        return String.format("%d expected, %d seen; from index %d expected %s, seen %s", expected.size(), actual.size(),
                i, expected.subList(i, Math.min(i + 5, expected.size())), actual.subList(i, Math.min(i + 5, actual.size())));
    }

    int refusals() {
        return refusals.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    private void run() {
        while (running) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                    .header("Accept", "text/event-stream").header("Authorization", "Bearer " + jwt);
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            try {
                HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                body = response.body();
                if (response.statusCode() != 200) {
                    refusals.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    body.close();
                    body = null;
                    Thread.sleep(250);
                    continue;
                }
                connected.countDown();
                read(body);
            } catch (IOException e) {
                if (body == null) {
                    refusals.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                }
            } catch (InterruptedException e) {
                return;
            }
            body = null;
            if (running) {
                drops.incrementAndGet();
            }
        }
    }

    /** One stream to its end: events are separated by blank lines; only RESOURCE_LOG events carry an id. */
    private void read(InputStream stream) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
        String id = null;
        String event = null;
        String data = null;
        for (String line = in.readLine(); line != null && running; line = in.readLine()) {
            if (line.isEmpty()) {
                if ("RESOURCE_LOG".equals(event)) {
                    lines.add(ProxyLoad.idOf(new JsonObject(data).getString("message")));
                    eventIds.add(id);
                    lastEventId = id;
                }
                id = event = data = null;
            } else if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data = line.substring(5).strip();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        InputStream stream = body;
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // the reader ends on its next line or heartbeat anyway
            }
        }
        reader.interrupt();
    }
}
