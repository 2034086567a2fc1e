package io.addonlogs.consumer.history;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index block being built for one partition of the logs topic: from {@code start} (the reader's position when it
 * opened), each add-on's first and last offset and its record count. {@link #close} seals it at the reader's
 * position, so consecutive blocks cover the partition's offsets without a hole whatever offsets the log skips.
 *
 * <p>It also keeps the lines of the add-ons that have at most {@link #KEEP_MAX_LINES} in the block, and at close
 * leaves them in the block ({@link IndexBlock.Span#kept}) for as many of those add-ons as fit in
 * {@link #KEEP_SHARE} of the block's line bytes (at most {@link #KEEP_MAX_BYTES}), smallest first: a quiet add-on's
 * history is then read from the index alone, while the index stays well under 1 % of the log's bytes.
 */
final class BlockBuilder {

    /** An add-on's lines are kept in the block only if it has at most this many there. */
    static final int KEEP_MAX_LINES = 8;
    /** Kept lines take at most 1/KEEP_SHARE of the block's line bytes... */
    static final int KEEP_SHARE = 256;
    /** ...and never more than this per block (an index record stays far below Kafka's message size limit). */
    static final int KEEP_MAX_BYTES = 64 << 10;

    private final int partition;
    private long start;
    private long maxTimestamp;
    private final Map<Long, SpanBuilder> spans = new LinkedHashMap<>();
    private int records;
    private long lineBytes;
    private long firstRecordNanos;

    /** One add-on's span so far, with its lines while it has few and all of them carry the same add-on id. */
    private static final class SpanBuilder {
        final long addon;
        final long first;
        final byte[] addonId;
        long last;
        int count;
        long keptBytes;
        /** The lines, while they can be kept; null once they cannot. */
        List<IndexBlock.KeptLine> kept = new ArrayList<>();
        /** Chosen at close to keep its lines in the block. */
        boolean keep;

        SpanBuilder(long addon, long first, byte[] addonId) {
            this.addon = addon;
            this.first = first;
            this.addonId = addonId;
        }

        void add(long offset, long timestamp, byte[] id, ByteBuffer value) {
            last = offset;
            count++;
            if (kept == null) {
                return;
            }
            if (count > KEEP_MAX_LINES || value == null || !Arrays.equals(addonId, id)) {
                kept = null; // too many to keep, or two add-ons behind one hash
                return;
            }
            byte[] copy = new byte[value.remaining()];
            value.duplicate().get(copy);
            kept.add(new IndexBlock.KeptLine(offset, timestamp, copy));
            keptBytes += copy.length;
        }

        IndexBlock.Span seal() {
            return keep ? new IndexBlock.Span(addon, first, last, count, new String(addonId, StandardCharsets.UTF_8),
                    List.copyOf(kept)) : new IndexBlock.Span(addon, first, last, count);
        }
    }

    /** Opens at {@code start}; {@code maxTimestamp}: the running maximum carried from the block before (or -1). */
    BlockBuilder(int partition, long start, long maxTimestamp) {
        this.partition = partition;
        this.start = start;
        this.maxTimestamp = maxTimestamp;
    }

    /**
     * A record of the partition; {@code addonId}: its {@code addon-id} header's value, or null when it has none;
     * {@code value}: a view of its value (copied only if kept), or null.
     */
    void add(long offset, long timestamp, byte[] addonId, ByteBuffer value) {
        if (records++ == 0) {
            firstRecordNanos = System.nanoTime();
        }
        maxTimestamp = Math.max(maxTimestamp, timestamp);
        if (value != null) {
            lineBytes += value.remaining();
        }
        if (addonId == null) {
            return;
        }
        spans.computeIfAbsent(IndexBlock.hash(addonId, 0, addonId.length),
                        h -> new SpanBuilder(h, offset, addonId))
                .add(offset, timestamp, addonId, value);
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
        long budget = Math.min(KEEP_MAX_BYTES, lineBytes / KEEP_SHARE);
        List<SpanBuilder> keepable = new ArrayList<>();
        spans.values().forEach(span -> {
            if (span.kept != null) {
                keepable.add(span);
            }
        });
        keepable.sort(Comparator.comparingLong(span -> span.keptBytes));
        long used = 0;
        for (SpanBuilder span : keepable) {
            if (used + span.keptBytes > budget) {
                break;
            }
            used += span.keptBytes;
            span.keep = true;
        }
        List<IndexBlock.Span> sealed = new ArrayList<>(spans.size());
        spans.values().forEach(span -> sealed.add(span.seal()));
        IndexBlock block = new IndexBlock(partition, start, end, maxTimestamp, sealed);
        start = end;
        spans.clear();
        records = 0;
        lineBytes = 0;
        return block;
    }
}
