package io.addonlogs.consumer.history;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What to read of one partition's {@code [from, to)} for one add-on, planned from the index as its blocks come in:
 * the ranges that can hold the add-on's records. Blocks are taken in index order and trusted only for what they cover
 * beyond what is planned already ({@code covered}), so blocks written twice (an indexer restarted, two indexers during
 * a rebalance) plan nothing twice; offsets no block covers (blocks lost, an index that lags or is missing) are planned
 * as ranges to scan whole. Reading every planned range therefore finds every record of the add-on in
 * {@code [from, to)}, however complete the index is: the index saves reading, it never decides what exists.
 *
 * <p>A block whose span keeps the add-on's lines ({@link IndexBlock.Span#keepsLines}) plans a range whose records are
 * those lines ({@link #keptAhead}): taken from the index, not read from the log.
 */
final class RangePlan {

    /** Ranges this close are read as one: reading a few records costs less than a seek (a fetch round trip). */
    static final long MERGE_GAP = 256;

    private final int partition;
    private final long addon;
    private final long to;
    private long covered;
    /** Where reading is: offsets below were read. */
    private long position;
    /** The next index offset to read, or -1 once the index has no more for this plan. */
    private long indexNext;
    /** The index's end when the plan was made: blocks written later cover what it scans anyway. */
    private final long indexUntil;
    private final ArrayDeque<Range> ranges = new ArrayDeque<>();

    /** Offsets {@code [start, end)} to read from the log, or, when {@code kept} is not null, to take from it. */
    private static final class Range {
        final long start;
        long end;
        final IndexBlock.Span kept;

        Range(long start, long end, IndexBlock.Span kept) {
            this.start = start;
            this.end = end;
            this.kept = kept;
        }
    }

    /**
     * A plan of {@code [from, to)} whose index blocks are read from index offset {@code indexNext} (-1: none) up to
     * {@code indexUntil}.
     */
    RangePlan(int partition, long addon, long from, long to, long indexNext, long indexUntil) {
        this.partition = partition;
        this.indexUntil = indexUntil;
        this.addon = addon;
        this.to = to;
        this.covered = from;
        this.position = from;
        this.indexNext = indexNext;
        if (indexNext < 0) {
            indexEnded();
        }
    }

    int partition() {
        return partition;
    }

    /** Plans what a block adds (blocks of other partitions are ignored). */
    void add(IndexBlock block) {
        if (block.partition() != partition || block.end() <= covered || covered >= to) {
            return;
        }
        if (block.start() > covered) {
            plan(covered, Math.min(block.start(), to), null); // not covered by any block read: scanned whole
        }
        IndexBlock.Span span = block.spanOf(addon);
        long end = Math.min(block.end(), to);
        if (span != null) {
            plan(Math.max(span.first(), covered), Math.min(span.last() + 1, end), span.keepsLines() ? span : null);
        }
        covered = end;
    }

    /** The index has no more blocks: what no block covered is scanned whole. */
    void indexEnded() {
        indexNext = -1;
        plan(covered, to, null);
        covered = to;
    }

    private void plan(long from, long until, IndexBlock.Span kept) {
        long start = Math.max(from, position);
        if (start >= until) {
            return;
        }
        Range last = ranges.peekLast();
        if (kept == null && last != null && last.kept == null && start - last.end <= MERGE_GAP) {
            last.end = until;
        } else {
            ranges.add(new Range(start, until, kept));
        }
    }

    /** Whether more index blocks must be read before anything can be read from the log. */
    boolean needsIndex() {
        return ranges.isEmpty() && indexNext >= 0 && covered < to;
    }

    long indexNext() {
        return indexNext;
    }

    long indexUntil() {
        return indexUntil;
    }

    void indexNext(long next) {
        this.indexNext = next;
    }

    /** Nothing left to read. */
    boolean done() {
        return ranges.isEmpty() && covered >= to;
    }

    /** Where to read from next, or -1 when no range is planned yet. */
    long readFrom() {
        Range range = ranges.peekFirst();
        return range == null ? -1 : Math.max(range.start, position);
    }

    /**
     * When the next range's records are lines the index kept: their span (take those {@link #wants} wants, then
     * {@link #advance} to {@link #keptEnd}); otherwise null.
     */
    IndexBlock.Span keptAhead() {
        Range range = ranges.peekFirst();
        return range == null ? null : range.kept;
    }

    /** The end of the range {@link #keptAhead} gives. */
    long keptEnd() {
        return ranges.getFirst().end;
    }

    /**
     * The next ranges to read from the log, from the one being read, as long as each spans at most {@code maxLength}
     * offsets: at most {@code max} of them (a quiet add-on's scattered lines, read in parallel).
     */
    List<long[]> shortRangesAhead(int max, long maxLength) {
        List<long[]> ahead = new ArrayList<>();
        for (Range range : ranges) {
            long start = Math.max(range.start, position);
            if (ahead.size() == max || range.kept != null || range.end - start > maxLength) {
                break;
            }
            ahead.add(new long[] {start, range.end});
        }
        return ahead;
    }

    /** How many offsets remain in the range being read, or -1 when no range is planned yet. */
    long readLength() {
        Range range = ranges.peekFirst();
        return range == null ? -1 : range.end - Math.max(range.start, position);
    }

    /**
     * Whether the record at {@code offset} lies in a planned range. Records come in offset order from
     * {@link #readFrom}: ranges that end before it were passed. Records beyond what is planned are not wanted yet:
     * they are read again once planned.
     */
    boolean wants(long offset) {
        if (offset < position || offset >= covered) {
            return false;
        }
        while (!ranges.isEmpty() && ranges.peekFirst().end <= offset) {
            ranges.pollFirst();
        }
        Range range = ranges.peekFirst();
        return range != null && offset >= range.start;
    }

    /** Reading reached {@code newPosition} (never counted beyond what is planned): ranges it passed are done. */
    void advance(long newPosition) {
        position = Math.max(position, Math.min(newPosition, covered));
        while (!ranges.isEmpty() && ranges.peekFirst().end <= position) {
            ranges.pollFirst();
        }
    }
}
