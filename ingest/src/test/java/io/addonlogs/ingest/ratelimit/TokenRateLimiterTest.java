package io.addonlogs.ingest.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class TokenRateLimiterTest {

    private final AtomicLong now = new AtomicLong();
    private final TokenRateLimiter limiter = new TokenRateLimiter(100, 10_000, 2, now::get);

    private void advanceSeconds(double seconds) {
        now.addAndGet((long) (seconds * 1e9));
    }

    @Test
    void aBurstIsAllowedThenDebtIsWaitedOutAtTheRate() {
        TokenRateLimiter.Bucket bucket = limiter.bucket("lt_a");
        assertEquals(0, bucket.retryAfterSeconds());
        bucket.take(200, 2_000); // the whole burst (2 s x 100 lines/s)
        assertEquals(0, bucket.retryAfterSeconds(), "at zero, not in debt");
        bucket.take(150, 1_000); // an admitted request is never cut: the token goes 150 lines into debt
        assertEquals(2, bucket.retryAfterSeconds(), "1.5 s of refill, rounded up");
        advanceSeconds(1.4);
        assertEquals(1, bucket.retryAfterSeconds());
        advanceSeconds(0.2);
        assertEquals(0, bucket.retryAfterSeconds());
    }

    @Test
    void bytesLimitOnItsOwn() {
        TokenRateLimiter.Bucket bucket = limiter.bucket("lt_b");
        bucket.take(1, 50_000); // 20,000 burst, then 30,000 bytes of debt at 10,000 bytes/s
        assertEquals(3, bucket.retryAfterSeconds());
    }

    @Test
    void debtIsCappedAndRefillNeverExceedsTheBurst() {
        TokenRateLimiter.Bucket bucket = limiter.bucket("lt_c");
        bucket.take(1_000_000, 0);
        assertEquals(30, bucket.retryAfterSeconds(), "one huge body locks a token out 30 s at most");
        advanceSeconds(3_600);
        bucket.take(200, 0);
        assertEquals(0, bucket.retryAfterSeconds());
        bucket.take(1, 0);
        assertEquals(1, bucket.retryAfterSeconds(), "an hour idle still gives only the 2 s burst");
    }

    @Test
    void tokensHaveTheirOwnBucketsAndZeroMeansOff() {
        limiter.bucket("lt_noisy").take(10_000, 0);
        assertEquals(0, limiter.bucket("lt_quiet").retryAfterSeconds());
        assertNotSame(limiter.bucket("lt_noisy"), limiter.bucket("lt_quiet"));
        TokenRateLimiter off = new TokenRateLimiter(0, 0, 2, now::get);
        off.bucket("lt_a").take(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertEquals(0, off.bucket("lt_a").retryAfterSeconds());
    }
}
