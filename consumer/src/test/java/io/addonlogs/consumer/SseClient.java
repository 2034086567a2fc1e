package io.addonlogs.consumer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A minimal SSE client on the JDK HTTP client: parses the stream into events as the spec says. */
final class SseClient implements AutoCloseable {

    record Event(String id, String event, String data, long receivedAtNanos) {
    }

    final int status;
    final String contentType;
    final String errorBody;
    final List<String> rawLines = new ArrayList<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile boolean ended;

    private SseClient(CompletableFuture<HttpResponse<Stream<String>>> response) throws Exception {
        this.response = response;
        HttpResponse<Stream<String>> r = response.get(30, TimeUnit.SECONDS);
        this.status = r.statusCode();
        this.contentType = r.headers().firstValue("Content-Type").orElse("");
        if (status != 200) {
            this.errorBody = String.join("\n", r.body().toList());
            return;
        }
        this.errorBody = null;
        Thread reader = new Thread(() -> read(r.body()), "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    static SseClient open(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        headers.forEach(request::header);
        return new SseClient(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build()
                .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    private void read(Stream<String> lines) {
        String id = null;
        String event = null;
        StringBuilder data = null;
        try {
            for (String line : (Iterable<String>) lines::iterator) {
                synchronized (rawLines) {
                    rawLines.add(line);
                }
                if (line.isEmpty()) {
                    if (event != null || data != null) {
                        events.add(new Event(id, event, data == null ? null : data.toString(), System.nanoTime()));
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                }
            }
        } catch (RuntimeException e) {
            // the connection was closed under us: the stream is over
        } finally {
            ended = true;
        }
    }

    /** The next event that is not a heartbeat, or null after the timeout. */
    Event next(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null || !"HEARTBEAT".equals(e.event())) {
                return e;
            }
        }
    }

    /** The next event of any kind, heartbeats included. */
    Event nextAny(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    List<Event> next(int count, long timeoutMillis) throws InterruptedException {
        List<Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (out.size() < count) {
            Event e = next(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (e == null) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    boolean ended() {
        return ended;
    }

    String allText() {
        synchronized (rawLines) {
            return String.join("\n", rawLines);
        }
    }

    @Override
    public void close() {
        response.cancel(true);
        try {
            HttpResponse<Stream<String>> r = response.getNow(null);
            if (r != null) {
                r.body().close();
            }
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
