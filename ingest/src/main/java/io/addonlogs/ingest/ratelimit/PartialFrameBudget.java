package io.addonlogs.ingest.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes held in partial frames (frames split across chunks, being assembled), process-wide. Over the cap, new
 * requests are refused (503) until requests in progress complete their frames or end; requests already admitted
 * go on (their buffers grow only with bytes actually received). Thread-safe.
 */
public final class PartialFrameBudget {

    private final long cap;
    private final AtomicLong held = new AtomicLong();

    public PartialFrameBudget(long cap) {
        this.cap = cap;
    }

    /** Adds (or, negative, gives back) held bytes. */
    public void add(long delta) {
        if (delta != 0) {
            held.addAndGet(delta);
        }
    }

    public long held() {
        return held.get();
    }

    public long cap() {
        return cap;
    }

    /** True when a new request must wait. */
    public boolean exhausted() {
        return held.get() >= cap;
    }
}
