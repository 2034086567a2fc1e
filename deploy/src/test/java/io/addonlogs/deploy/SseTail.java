package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** An SSE tail read line by line on a background thread that only queues the lines; the test's thread asserts. */
record SseTail(Thread reader, BlockingQueue<String> lines) implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Sends the tail request; fails unless it is answered 200. */
    static SseTail open(HttpRequest request) throws Exception {
        HttpResponse<Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode(), "tail " + request.uri());
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (Stream<String> body = response.body()) {
                body.forEach(lines::add);
            } catch (RuntimeException closed) {
                // the test is over
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        return new SseTail(reader, lines);
    }

    /** The first {@code data:} line containing {@code text} within 20 s. */
    String awaitData(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith("data:") && line.contains(text)) {
                return line;
            }
        }
        throw new AssertionError("no SSE data line containing '" + text + "' within 20 s");
    }

    @Override
    public void close() {
        reader.interrupt();
    }
}
