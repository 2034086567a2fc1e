package io.addonlogs.consumer.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index block being built for one partition of the logs topic: from {@code start} (the reader's position when it
 * opened), each add-on's first and last offset and its record count. {@link #close} seals it at the reader's
 * position, so consecutive blocks cover the partition's offsets without a hole whatever offsets the log skips.
 */
final class BlockBuilder {

    private final int partition;
    private long start;
    private long maxTimestamp;
    /** Per add-on hash: first offset, last offset, count. */
    private final Map<Long, long[]> spans = new LinkedHashMap<>();
    private int records;
    private long firstRecordNanos;

    /** Opens at {@code start}; {@code maxTimestamp}: the running maximum carried from the block before (or -1). */
    BlockBuilder(int partition, long start, long maxTimestamp) {
        this.partition = partition;
        this.start = start;
        this.maxTimestamp = maxTimestamp;
    }

    /** A record of the partition; {@code addonId}: its {@code addon-id} header's value, or null when it has none. */
    void add(long offset, long timestamp, byte[] addonId) {
        if (records++ == 0) {
            firstRecordNanos = System.nanoTime();
        }
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        if (addonId == null) {
            return;
        }
        long[] span = spans.computeIfAbsent(IndexBlock.hash(addonId, 0, addonId.length),
                h -> new long[] {offset, offset, 0});
        span[1] = offset;
        span[2]++;
    }

    int records() {
        return records;
    }

    long start() {
        return start;
    }

    /** How long the oldest record of the block has waited to be indexed, 0 when it has none. */
    long ageNanos(long now) {
        return records == 0 ? 0 : now - firstRecordNanos;
    }

    /** The block of {@code [start, end)}; the builder goes on from {@code end}. */
    IndexBlock close(long end) {
        List<IndexBlock.Span> sealed = new ArrayList<>(spans.size());
        spans.forEach((addon, span) -> sealed.add(new IndexBlock.Span(addon, span[0], span[1], (int) span[2])));
        IndexBlock block = new IndexBlock(partition, start, end, maxTimestamp, sealed);
        start = end;
        spans.clear();
        records = 0;
        return block;
    }
}
