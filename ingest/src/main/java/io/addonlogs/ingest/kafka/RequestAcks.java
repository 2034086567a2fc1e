package io.addonlogs.ingest.kafka;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.vertx.core.Context;

/**
 * Counts one request's unacknowledged records. Kafka's I/O thread only does atomic updates here and hops to the
 * request's context twice at most: on the first failure and when the last record is acknowledged after the body
 * ended. (A hop per record would cost an event-loop task per line.)
 */
public final class RequestAcks {

    /** Called on the request's context. */
    public interface Listener {
        void allAcknowledged();

        void failed(Exception cause);
    }

    // 1 stands for the body still being read, so "0" can only mean: body done and every record acknowledged.
    private final AtomicInteger outstanding = new AtomicInteger(1);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Context context;
    private final Listener listener;
    /** Set on the request's context, read there only (by {@link #pending()}). */
    private boolean bodyDone;
    /** Records sent so far; on the request's context. */
    private int sentCount;

    public RequestAcks(Context context, Listener listener) {
        this.context = context;
        this.listener = listener;
    }

    /** One more record sent; on the request's context. Returns how many this request sent before it. */
    int sent() {
        outstanding.incrementAndGet();
        return sentCount++;
    }

    /** From any thread; {@code error} null on success. */
    void acknowledged(Exception error) {
        if (error != null && failure.compareAndSet(null, error)) {
            context.runOnContext(v -> listener.failed(error));
        }
        if (outstanding.decrementAndGet() == 0) {
            context.runOnContext(v -> listener.allAcknowledged());
        }
    }

    /** The body is fully read (or parsing stopped): on the request's context. */
    public void bodyDone() {
        bodyDone = true;
        if (outstanding.decrementAndGet() == 0) {
            listener.allAcknowledged();
        }
    }

    /** Records sent and not yet acknowledged; on the request's context. */
    public int pending() {
        int count = outstanding.get();
        // until the body is done, the count holds its 1 as well
        return bodyDone ? count : Math.max(0, count - 1);
    }
}
