package io.addonlogs.consumer.sse;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The consumer's own meters (docs/operations.md). */
public final class TailMetrics {

    private final AtomicInteger viewers = new AtomicInteger();
    private final Counter events;
    private final Counter dropped;

    public TailMetrics(MeterRegistry registry) {
        Gauge.builder("tail_viewers", viewers::get).description("SSE viewers connected").register(registry);
        events = Counter.builder("tail_events_sent").description("RESOURCE_LOG events written").register(registry);
        dropped = Counter.builder("tail_viewers_dropped_slow")
                .description("Viewers disconnected because they could not keep up").register(registry);
    }

    void connected() {
        viewers.incrementAndGet();
    }

    void disconnected() {
        viewers.decrementAndGet();
    }

    void eventsSent(int count) {
        events.increment(count);
    }

    void droppedSlow() {
        dropped.increment();
    }

    public int viewers() {
        return viewers.get();
    }

    /** RESOURCE_LOG events handed to viewers' connections so far. */
    public double sentEvents() {
        return events.count();
    }

    public double droppedSlowCount() {
        return dropped.count();
    }
}
