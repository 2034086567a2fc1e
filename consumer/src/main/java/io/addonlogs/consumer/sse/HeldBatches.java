package io.addonlogs.consumer.sse;

import java.util.ArrayDeque;

/**
 * The live batches a stream holds while it replays history, bounded in events and in bytes: past either bound the
 * viewer is too far behind to hold for (it is dropped and resumes by cursor). Used on the stream's event loop.
 */
final class HeldBatches {

    private final int maxEvents;
    private final long maxBytes;
    private final ArrayDeque<LiveBatch> batches = new ArrayDeque<>();
    private int events;
    private long bytes;

    HeldBatches(int maxEvents, long maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
    }

    /** Holds the batch; false once the bounds are passed. */
    boolean hold(LiveBatch batch) {
        batches.add(batch);
        events += batch.events().size();
        bytes += batch.bytes();
        return events <= maxEvents && bytes <= maxBytes;
    }

    /** The oldest batch held, taken out, or null. */
    LiveBatch take() {
        LiveBatch batch = batches.poll();
        if (batch != null) {
            events -= batch.events().size();
            bytes -= batch.bytes();
        }
        return batch;
    }

    void clear() {
        batches.clear();
        events = 0;
        bytes = 0;
    }
}
