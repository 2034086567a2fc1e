package io.addonlogs.consumer.sse;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * The bytes written to one viewer that its socket has not taken yet, counted from each write's completion, and the
 * bound on them ({@code SSE_VIEWER_QUEUE_BYTES}). Vert.x's {@code writeQueueFull()} is no such bound: once the socket
 * is full it counts queued messages (16), not bytes, and a history step is one message of up to 256 KiB, so a viewer
 * that stopped reading was handed megabytes (a whole 4 MB history in a test) where 64 KiB were configured. Lives on the
 * connection's event loop, where the writes complete.
 */
final class WriteWindow {

    private final HttpServerResponse response;
    private final long limit;
    private long pending;
    private Runnable onDrained;

    WriteWindow(HttpServerResponse response, long limit) {
        this.response = response;
        this.limit = limit;
    }

    void write(Buffer bytes) {
        int size = bytes.length();
        pending += size;
        response.write(bytes).onComplete(written -> {
            pending -= size;
            if (written.succeeded() && onDrained != null && pending <= limit / 2) {
                Runnable drained = onDrained;
                onDrained = null;
                drained.run();
            }
        });
    }

    /** Whether the viewer is {@code limit} bytes or more behind: write no more until it has taken half of them. */
    boolean full() {
        return pending >= limit;
    }

    /** Runs {@code action} once the viewer has taken all but half the limit (call when {@link #full()}). */
    void whenDrained(Runnable action) {
        onDrained = action;
    }
}
