package io.addonlogs.consumer.sse;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A viewer's pace: at most {@code elements} events within any window of {@code perMillis}, sliding, not only
 * fixed windows (a fixed window lets through twice as many across its boundary). Remembers its writes of the last
 * window, at most {@link #SLOTS} of them: beyond that a write is merged into the latest, whose time moves to now,
 * which only keeps events counted longer (stricter, never looser). Used on its stream's event loop only.
 */
final class Throttle {

    static final int SLOTS = 32;

    private final int elements;
    private final long perNanos;
    private final LongSupplier nanoTime;
    private final long[] writtenAt = new long[SLOTS];
    private final int[] counts = new int[SLOTS];
    private int oldest;
    private int size;
    private int inWindow;

    /** {@code elements} 0: no throttle. */
    Throttle(int elements, long perMillis, LongSupplier nanoTime) {
        this.elements = elements;
        this.perNanos = TimeUnit.MILLISECONDS.toNanos(perMillis);
        this.nanoTime = nanoTime;
    }

    /** How many events may be written now ({@link Integer#MAX_VALUE} without a throttle). */
    int allowance() {
        if (elements == 0) {
            return Integer.MAX_VALUE;
        }
        expire(nanoTime.getAsLong());
        return elements - inWindow;
    }

    /** Counts events written now. */
    void spent(int events) {
        if (elements == 0 || events <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        expire(now);
        if (size == SLOTS) {
            int latest = (oldest + size - 1) % SLOTS;
            counts[latest] += events;
            writtenAt[latest] = now;
        } else {
            int slot = (oldest + size) % SLOTS;
            writtenAt[slot] = now;
            counts[slot] = events;
            size++;
        }
        inWindow += events;
    }

    /** Milliseconds until {@link #allowance} is above 0 again (at least 1, for a timer). */
    long millisUntilAllowed() {
        long now = nanoTime.getAsLong();
        expire(now);
        if (elements == 0 || inWindow < elements || size == 0) {
            return 1;
        }
        long nanos = writtenAt[oldest] + perNanos - now;
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + TimeUnit.MILLISECONDS.toNanos(1) - 1));
    }

    private void expire(long now) {
        while (size > 0 && now - writtenAt[oldest] >= perNanos) {
            inWindow -= counts[oldest];
            oldest = (oldest + 1) % SLOTS;
            size--;
        }
    }
}
