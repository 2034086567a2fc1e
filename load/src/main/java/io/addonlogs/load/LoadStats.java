package io.addonlogs.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Recorder;

/** What providers and viewers record, from any thread; read by the progress loop. */
final class LoadStats {

    /** Microseconds, 1 µs to 1 h, 3 significant digits. */
    static Recorder recorder() {
        return new Recorder(1, TimeUnit.HOURS.toMicros(1), 3);
    }

    final Recorder postLatency = recorder();
    final Recorder deliveryLatency = recorder();
    final LongAdder linesAccepted = new LongAdder();
    final LongAdder bytesAccepted = new LongAdder();
    final LongAdder postsAccepted = new LongAdder();
    final LongAdder sseLines = new LongAdder();
    final LongAdder viewerDrops = new LongAdder();
    final AtomicLongArray acceptedPerAddon;
    final AtomicLongArray deliveredPerAddon;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    LoadStats(int addons) {
        acceptedPerAddon = new AtomicLongArray(addons);
        deliveredPerAddon = new AtomicLongArray(addons);
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    Map<String, Long> errors() {
        Map<String, Long> copy = new TreeMap<>();
        errors.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    static long micros(long nanos) {
        return Math.max(1, Math.min(TimeUnit.HOURS.toMicros(1), nanos / 1000));
    }
}
