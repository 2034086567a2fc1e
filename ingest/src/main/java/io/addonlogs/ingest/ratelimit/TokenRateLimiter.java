package io.addonlogs.ingest.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-token token buckets, one for lines and one for bytes, so that one noisy provider cannot take the capacity
 * of the others. Every frame read is charged, accepted or rejected, as it is read. A request that arrives while
 * its token is in debt is refused (429); a request in progress whose token is in debt is not cut off but paused
 * until the debt is paid ({@link Bucket#debtNanos()}), so concurrent requests of a token share its rate.
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
        public long retryAfterSeconds() {
            long nanos = debtNanos();
            return nanos == 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
        }

        /** 0 when the token is not in debt, else the nanoseconds until it is out of it at its rates. */
        public synchronized long debtNanos() {
            refill();
            double wait = 0;
            if (linesPerSecond > 0 && lines < 0) {
                wait = -lines / linesPerSecond;
            }
            if (bytesPerSecond > 0 && bytes < 0) {
                wait = Math.max(wait, -bytes / bytesPerSecond);
            }
            return wait == 0 ? 0 : Math.max(1, (long) Math.ceil(wait * 1e9));
        }

        /** Counts lines and bytes read (accepted or rejected: reading them is what costs). */
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
