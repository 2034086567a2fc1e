package io.addonlogs.ingest.tokens;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed admin authentications per remote address: the {@code maxFailures}-th failure within {@link #WINDOW} blocks
 * the address for {@link #BLOCK}, during which its every admin request is refused (429) before the token is even
 * compared (otherwise the block would not slow guessing). A success clears the address's failures. At most
 * {@link #MAX_ADDRESSES} addresses are followed; the least recently seen is forgotten first.
 */
final class AdminAuthThrottle {

    static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration BLOCK = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 10_000;

    private final int maxFailures;
    private final LongSupplier nanos;
    private final Map<String, Failures> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    /** An address's failures since {@code firstAt}, and whether (until when) it is blocked. */
    private static final class Failures {
        long firstAt;
        int count;
        boolean blocked;
        long blockedUntil;
    }

    AdminAuthThrottle(int maxFailures, LongSupplier nanos) {
        this.maxFailures = maxFailures;
        this.nanos = nanos;
    }

    /** Seconds (rounded up) until {@code address} may try again; 0 if it may now. */
    synchronized long blockedSeconds(String address) {
        Failures failures = byAddress.get(address);
        if (failures == null || !failures.blocked) {
            return 0;
        }
        long left = failures.blockedUntil - nanos.getAsLong();
        if (left <= 0) {
            byAddress.remove(address);
            return 0;
        }
        return (left + 999_999_999L) / 1_000_000_000L;
    }

    /** Counts a failure; true if it blocks the address (from now, for {@link #BLOCK}). */
    synchronized boolean failed(String address) {
        long now = nanos.getAsLong();
        Failures failures = byAddress.computeIfAbsent(address, a -> new Failures());
        if (failures.count == 0 || now - failures.firstAt > WINDOW.toNanos()) {
            failures.firstAt = now;
            failures.count = 0;
        }
        if (++failures.count < maxFailures) {
            return false;
        }
        failures.blocked = true;
        failures.blockedUntil = now + BLOCK.toNanos();
        return true;
    }

    synchronized void succeeded(String address) {
        byAddress.remove(address);
    }
}
