package io.addonlogs.kafka.embedded;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** For tests over real services: wait for a condition instead of sleeping a guessed time. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} every 20 ms for up to 30 s; fails naming {@code what}. */
    public static void until(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
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
