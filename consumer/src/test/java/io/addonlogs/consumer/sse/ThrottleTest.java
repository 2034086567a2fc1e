package io.addonlogs.consumer.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The throttle's budget over a sliding window, on a clock the test moves. */
class ThrottleTest {

    private long now = 1_000_000_000L;

    private Throttle throttle(int elements, long perMillis) {
        return new Throttle(elements, perMillis, () -> now);
    }

    private void advance(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void noThrottleAllowsEverything() {
        Throttle none = throttle(0, 0);
        none.spent(1_000_000);
        assertEquals(Integer.MAX_VALUE, none.allowance());
    }

    @Test
    void theBudgetComesBackOneWindowAfterEachWrite() {
        Throttle throttle = throttle(10, 500);
        throttle.spent(4);
        advance(200);
        throttle.spent(6);
        assertEquals(0, throttle.allowance());
        assertEquals(300, throttle.millisUntilAllowed());
        advance(299);
        assertEquals(0, throttle.allowance(), "the first write is still inside the window");
        advance(1);
        assertEquals(4, throttle.allowance(), "only the first write left the window");
        assertEquals(1, throttle.millisUntilAllowed(), "allowed now");
        advance(200);
        assertEquals(10, throttle.allowance());
    }

    @Test
    void noWindowOfTheLengthEverHoldsMoreThanTheBudget() {
        Throttle throttle = throttle(10, 500);
        // a fixed window would allow 10 at 499 ms and 10 more at 500 ms
        advance(499);
        throttle.spent(throttle.allowance());
        advance(1);
        assertEquals(0, throttle.allowance());
        assertEquals(499, throttle.millisUntilAllowed());
    }

    @Test
    void writesBeyondItsSlotsAreMergedIntoTheLatestAndCountedLonger() {
        Throttle throttle = throttle(1_000, 500);
        for (int i = 0; i < Throttle.SLOTS + 5; i++) {
            throttle.spent(1);
            advance(10);
        }
        // 37 writes of 1, at 0, 10, ... 360 ms: the first 31 (to 300 ms) in their own slots, the 6 from 310 ms on
        // merged into the last slot, counted as written at 360 ms
        assertEquals(1_000 - 37, throttle.allowance());
        advance(429); // 799 ms
        assertEquals(1_000 - 7, throttle.allowance(), "the write at 300 ms and the merged six are still inside");
        advance(1);
        assertEquals(1_000 - 6, throttle.allowance());
        advance(59);
        assertEquals(1_000 - 6, throttle.allowance(), "merged writes count until 500 ms after the latest of them");
        advance(1);
        assertEquals(1_000, throttle.allowance());
    }
}
