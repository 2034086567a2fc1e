package io.addonlogs.service.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something each key holds at once, capped: requests in progress per log token on an ingest, tails per
 * viewer on a consumer. One client cannot take every slot an instance has (the caller answers 429 beyond).
 * Thread-safe; a key holding nothing has no entry.
 */
public final class PerKeyLimit {

    private final int max;
    private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

    public PerKeyLimit(int max) {
        this.max = max;
    }

    public int max() {
        return max;
    }

    /** Takes a slot for {@code key}; false (taking nothing) when it holds the maximum already. */
    public boolean tryAcquire(String key) {
        boolean[] taken = new boolean[1];
        held.compute(key, (k, n) -> {
            int count = n == null ? 0 : n;
            taken[0] = count < max;
            return taken[0] ? count + 1 : n;
        });
        return taken[0];
    }

    /** Gives back a slot (once per successful {@link #tryAcquire}). */
    public void release(String key) {
        held.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
