package io.addonlogs.ingest.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-token token buckets, one for lines and one for bytes, so that one noisy provider cannot take the capacity
 * of the others. A request is refused (429) only when it arrives while its token is in debt; lines of a request
 * already admitted are never refused half-way (they may put the token in debt, which the next requests wait out).
 * Limits hold per ingest instance. A rate of 0 turns that dimension off.
 */
public final class TokenRateLimiter {

    /** Debt is capped at this many seconds of refill, so one huge body cannot lock a token out for long. */
    private static final double MAX_DEBT_SECONDS = 30;

    private final double linesPerSecond;
    private final double bytesPerSecond;
    private final double burstSeconds;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokenRateLimiter(double linesPerSecond, double bytesPerSecond, double burstSeconds, LongSupplier nanoClock) {
        this.linesPerSecond = linesPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.burstSeconds = burstSeconds;
        this.nanoClock = nanoClock;
    }

    public Bucket bucket(String token) {
        return buckets.computeIfAbsent(token, t -> new Bucket());
    }

    /** One token's two buckets. Thread-safe: a token's requests may run on several event loops. */
    public final class Bucket {
        private double lines = linesPerSecond * burstSeconds;
        private double bytes = bytesPerSecond * burstSeconds;
        private long refilledAt = nanoClock.getAsLong();

        /** 0 when a request may start now, else the whole seconds until the token is out of debt. */
        public synchronized long retryAfterSeconds() {
            refill();
            double wait = 0;
            if (linesPerSecond > 0 && lines < 0) {
                wait = -lines / linesPerSecond;
            }
            if (bytesPerSecond > 0 && bytes < 0) {
                wait = Math.max(wait, -bytes / bytesPerSecond);
            }
            return wait == 0 ? 0 : (long) Math.ceil(wait);
        }

        /** Counts accepted lines and their bytes. */
        public synchronized void take(long lineCount, long byteCount) {
            refill();
            if (linesPerSecond > 0) {
                lines = Math.max(lines - lineCount, -linesPerSecond * MAX_DEBT_SECONDS);
            }
            if (bytesPerSecond > 0) {
                bytes = Math.max(bytes - byteCount, -bytesPerSecond * MAX_DEBT_SECONDS);
            }
        }

        private void refill() {
            long now = nanoClock.getAsLong();
            double seconds = (now - refilledAt) / 1e9;
            refilledAt = now;
            lines = Math.min(linesPerSecond * burstSeconds, lines + seconds * linesPerSecond);
            bytes = Math.min(bytesPerSecond * burstSeconds, bytes + seconds * bytesPerSecond);
        }
    }
}
