package io.addonlogs.ingest.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Requests in progress per token, process-wide, capped so that one provider cannot hold every connection, decoder
 * and timer of the instance (429 beyond). Thread-safe; a token without requests has no entry.
 */
public final class TokenRequests {

    private final int maxPerToken;
    private final ConcurrentHashMap<String, Integer> inProgress = new ConcurrentHashMap<>();

    public TokenRequests(int maxPerToken) {
        this.maxPerToken = maxPerToken;
    }

    public int maxPerToken() {
        return maxPerToken;
    }

    /** Takes a slot for a new request of {@code token}; false (taking nothing) when it already has the maximum. */
    public boolean tryAcquire(String token) {
        AtomicBoolean taken = new AtomicBoolean();
        inProgress.compute(token, (t, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerToken) {
                return n;
            }
            taken.set(true);
            return count + 1;
        });
        return taken.get();
    }

    /** Gives back the slot of an ended request (once per successful {@link #tryAcquire}). */
    public void release(String token) {
        inProgress.computeIfPresent(token, (t, n) -> n <= 1 ? null : n - 1);
    }

    /** Requests in progress for {@code token}. */
    public int inProgress(String token) {
        return inProgress.getOrDefault(token, 0);
    }
}
