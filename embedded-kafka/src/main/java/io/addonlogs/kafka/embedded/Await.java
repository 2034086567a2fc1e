package io.addonlogs.kafka.embedded;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** For tests over real services: wait for a condition instead of sleeping a guessed time. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} every 20 ms for up to 30 s; fails naming {@code what}. */
    public static void until(BooleanSupplier condition, String what) {
        until(condition, what, Duration.ofSeconds(30));
    }

    /** Polls {@code condition} every 20 ms for up to {@code timeout}; fails naming {@code what}. */
    public static void until(BooleanSupplier condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}
