package io.addonlogs.ingest.http;

import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;

/**
 * A one-shot timer with a budget that counts only while it runs: {@link #suspend()} keeps what is left,
 * {@link #run()} goes on from there, {@link #reset()} restores the whole budget. Used from one event loop only.
 */
final class Deadline {

    private final Vertx vertx;
    private final long budgetMs;
    private final Runnable onExpiry;
    private long remainingMs;
    private long runningSince;
    private long timer = -1;

    Deadline(Vertx vertx, long budgetMs, Runnable onExpiry) {
        this.vertx = vertx;
        this.budgetMs = budgetMs;
        this.remainingMs = budgetMs;
        this.onExpiry = onExpiry;
    }

    long budgetMs() {
        return budgetMs;
    }

    /** Starts counting down what is left of the budget; does nothing if already running. */
    void run() {
        if (timer >= 0) {
            return;
        }
        runningSince = System.nanoTime();
        timer = vertx.setTimer(Math.max(1, remainingMs), id -> {
            if (id == timer) { // not a timer cancelled after it was queued
                timer = -1;
                remainingMs = 0;
                onExpiry.run();
            }
        });
    }

    /** Stops counting and keeps what is left. */
    void suspend() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
            remainingMs -= TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runningSince);
        }
    }

    /** Stops counting and restores the whole budget. */
    void reset() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        remainingMs = budgetMs;
    }
}
