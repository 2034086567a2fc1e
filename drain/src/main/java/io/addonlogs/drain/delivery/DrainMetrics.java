package io.addonlogs.drain.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-drain meters on the worker's {@code /metrics}: {@code drain_delivered_lines_total},
 * {@code drain_failed_lines_total} (lines of failed deliveries, each retried later) and {@code drain_lag_lines} (the
 * backlog), tagged {@code drain} and {@code type}; removed with the drain.
 */
public final class DrainMetrics {

    /** One drain's counts, summed over its partitions on this worker. */
    public static final class Counts {
        final AtomicLong delivered = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong lag = new AtomicLong();
        final Meter[] meters;

        Counts(MeterRegistry registry, String drainId, String type) {
            meters = new Meter[] {
                FunctionCounter.builder("drain.delivered.lines", delivered, AtomicLong::get)
                        .description("Lines the recipient acknowledged").tags("drain", drainId, "type", type)
                        .register(registry),
                FunctionCounter.builder("drain.failed.lines", failed, AtomicLong::get)
                        .description("Lines of deliveries that failed (they are delivered again later)")
                        .tags("drain", drainId, "type", type).register(registry),
                Gauge.builder("drain.lag.lines", lag, AtomicLong::get)
                        .description("Lines read and not delivered yet (the drain's backlog)")
                        .tags("drain", drainId, "type", type).register(registry)
            };
        }
    }

    private final MeterRegistry registry;
    private final Map<String, Counts> byDrain = new ConcurrentHashMap<>();

    public DrainMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    Counts of(String drainId, String type) {
        return byDrain.computeIfAbsent(drainId, id -> new Counts(registry, id, type));
    }

    void forget(String drainId) {
        Counts counts = byDrain.remove(drainId);
        if (counts != null) {
            for (Meter meter : counts.meters) {
                registry.remove(meter);
            }
        }
    }
}
