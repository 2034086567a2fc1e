package io.addonlogs.ingest.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class AdminAuthThrottleTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(-5 * SECOND); // nanoTime may be negative
    private final AdminAuthThrottle throttle = new AdminAuthThrottle(3, now::get);

    @Test
    void theLastAllowedFailureBlocksTheAddressForAMinuteAndOnlyIt() {
        assertFalse(throttle.failed("10.0.0.1"));
        assertFalse(throttle.failed("10.0.0.1"));
        assertEquals(0, throttle.blockedSeconds("10.0.0.1"));
        assertTrue(throttle.failed("10.0.0.1"));
        assertEquals(60, throttle.blockedSeconds("10.0.0.1"));
        assertEquals(0, throttle.blockedSeconds("10.0.0.2"), "another address is not affected");
        now.addAndGet(59 * SECOND + 1);
        assertEquals(1, throttle.blockedSeconds("10.0.0.1"), "rounded up");
        now.addAndGet(SECOND);
        assertEquals(0, throttle.blockedSeconds("10.0.0.1"), "the block ends");
        assertFalse(throttle.failed("10.0.0.1"), "and its count starts over");
    }

    @Test
    void failuresOlderThanTheWindowDoNotCount() {
        throttle.failed("10.0.0.1");
        throttle.failed("10.0.0.1");
        now.addAndGet(AdminAuthThrottle.WINDOW.toNanos() + 1);
        assertFalse(throttle.failed("10.0.0.1"));
        assertFalse(throttle.failed("10.0.0.1"));
        assertTrue(throttle.failed("10.0.0.1"));
    }

    @Test
    void aSuccessClearsTheFailures() {
        throttle.failed("10.0.0.1");
        throttle.failed("10.0.0.1");
        throttle.succeeded("10.0.0.1");
        assertFalse(throttle.failed("10.0.0.1"));
        assertFalse(throttle.failed("10.0.0.1"));
    }

    @Test
    void atMostMaxAddressesAreFollowed() {
        throttle.failed("first");
        throttle.failed("first");
        for (int i = 0; i < AdminAuthThrottle.MAX_ADDRESSES; i++) {
            throttle.failed("10.1." + i);
        }
        assertFalse(throttle.failed("first"), "forgotten: its count starts over (memory stays bounded)");
    }
}
