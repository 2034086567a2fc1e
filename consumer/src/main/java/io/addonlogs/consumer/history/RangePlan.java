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
    private final ArrayDeque<long[]> ranges = new ArrayDeque<>();

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
            plan(covered, Math.min(block.start(), to)); // not covered by any block read: scanned whole
        }
        IndexBlock.Span span = block.spanOf(addon);
        long end = Math.min(block.end(), to);
        if (span != null) {
            plan(Math.max(span.first(), covered), Math.min(span.last() + 1, end));
        }
        covered = end;
    }

    /** The index has no more blocks: what no block covered is scanned whole. */
    void indexEnded() {
        indexNext = -1;
        plan(covered, to);
        covered = to;
    }

    private void plan(long from, long until) {
        long start = Math.max(from, position);
        if (start >= until) {
            return;
        }
        long[] last = ranges.peekLast();
        if (last != null && start - last[1] <= MERGE_GAP) {
            last[1] = until;
        } else {
            ranges.add(new long[] {start, until});
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
        long[] range = ranges.peekFirst();
        return range == null ? -1 : Math.max(range[0], position);
    }

    /**
     * The next ranges to read, from the one being read, as long as each spans at most {@code maxLength} offsets: at
     * most {@code max} of them (a quiet add-on's scattered lines, read in parallel).
     */
    List<long[]> shortRangesAhead(int max, long maxLength) {
        List<long[]> ahead = new ArrayList<>();
        for (long[] range : ranges) {
            long start = Math.max(range[0], position);
            if (ahead.size() == max || range[1] - start > maxLength) {
                break;
            }
            ahead.add(new long[] {start, range[1]});
        }
        return ahead;
    }

    /** How many offsets remain in the range being read, or -1 when no range is planned yet. */
    long readLength() {
        long[] range = ranges.peekFirst();
        return range == null ? -1 : range[1] - Math.max(range[0], position);
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
        while (!ranges.isEmpty() && ranges.peekFirst()[1] <= offset) {
            ranges.pollFirst();
        }
        long[] range = ranges.peekFirst();
        return range != null && offset >= range[0];
    }

    /** Reading reached {@code newPosition} (never counted beyond what is planned): ranges it passed are done. */
    void advance(long newPosition) {
        position = Math.max(position, Math.min(newPosition, covered));
        while (!ranges.isEmpty() && ranges.peekFirst()[1] <= position) {
            ranges.pollFirst();
        }
    }
}
