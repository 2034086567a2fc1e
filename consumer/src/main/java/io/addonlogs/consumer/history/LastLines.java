package io.addonlogs.consumer.history;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.consumer.kafka.LogRecords;

/**
 * Where to start reading so that a replay up to {@code to} gives an add-on's last {@code n} wanted lines: walks each
 * partition back from {@code to} through the index (the add-on's spans only, and whatever no block covers), then
 * merges the partitions by timestamp. Without the index (missing, or not reaching back far enough) it scans back in
 * growing windows, at most {@link #SCAN_BUDGET_BYTES} of records, and it walks the index back for
 * {@link #WALK_NANOS} at most: a stream then starts with fewer lines rather than hold a history thread for long.
 * Lines the index kept ({@link IndexBlock.Span#keepsLines}) are taken from it, not read from the log.
 */
final class LastLines {

    static final long SCAN_BUDGET_BYTES = 64L << 20;
    private static final long FIRST_WINDOW = 4096;
    /** Index blocks read at once, at most (a window's blocks are held in memory). */
    private static final long MAX_INDEX_WINDOW = 4096;
    /**
     * How long one look-up walks the index back at most: an add-on with fewer than N lines in a long, busy partition
     * would otherwise have it read to its start while holding a history thread.
     */
    private static final long WALK_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** A wanted record: where it is and when it was written. */
    private record Line(int partition, long offset, long timestamp) {
    }

    private final LogScan log;
    private final IndexTopic index;
    private final byte[] addonId;
    private final long addon;
    private final int n;
    private final Predicate<ConsumerRecord<byte[], byte[]>> wanted;
    private final String topic;

    LastLines(LogScan log, IndexTopic index, String addonId, int n, Predicate<ConsumerRecord<byte[], byte[]>> wanted,
              String topic) {
        this.topic = topic;
        this.log = log;
        this.index = index;
        this.addonId = addonId.getBytes(StandardCharsets.UTF_8);
        this.addon = IndexBlock.hash(addonId);
        this.n = n;
        this.wanted = wanted;
    }

    /** For each partition of {@code to}, the offset to read from (its {@code to} when none of the lines is there). */
    Map<Integer, Long> find(Map<Integer, Long> to, Map<Integer, Long> logStart) {
        Map<Integer, ArrayDeque<Line>> perPartition = new HashMap<>();
        to.forEach((p, end) -> perPartition.put(p, lastOf(p, logStart.getOrDefault(p, 0L), end)));
        // newest first across partitions, each partition's lines taken from its end: a suffix of each
        Map<Integer, Long> from = new HashMap<>(to);
        for (int taken = 0; taken < n; taken++) {
            ArrayDeque<Line> newest = null;
            for (ArrayDeque<Line> lines : perPartition.values()) {
                if (!lines.isEmpty() && (newest == null || lines.peekLast().timestamp() > newest.peekLast().timestamp())) {
                    newest = lines;
                }
            }
            if (newest == null) {
                break;
            }
            Line line = newest.pollLast();
            from.put(line.partition(), line.offset());
        }
        return from;
    }

    /** The partition's last {@code n} wanted lines before {@code end}, oldest first. */
    private ArrayDeque<Line> lastOf(int partition, long begin, long end) {
        ArrayDeque<Line> found = new ArrayDeque<>();
        long low = end;
        boolean indexReachedItsStart = true;
        if (index.partitions() > 0) {
            int q = index.partitionOf(partition);
            long indexBegin = index.beginning(q);
            long indexEnd = index.end(q);
            long deadline = System.nanoTime() + WALK_NANOS;
            for (long size = 256; found.size() < n && indexEnd > indexBegin && System.nanoTime() - deadline < 0;
                 size = Math.min(size * 2, MAX_INDEX_WINDOW)) {
                long windowStart = Math.max(indexBegin, indexEnd - size);
                List<IndexBlock> blocks = index.window(q, windowStart, indexEnd);
                List<long[]> pending = new ArrayList<>(); // ranges to read, newest first
                List<ConsumerRecord<byte[], byte[]>> kept = new ArrayList<>(); // lines taken from the index
                for (int i = blocks.size() - 1; i >= 0 && found.size() < n; i--) {
                    IndexBlock block = blocks.get(i);
                    if (block.partition() != partition || block.start() >= low) {
                        continue;
                    }
                    if (block.end() < low) {
                        pending.add(new long[] {block.end(), low}); // not covered by a block: scanned
                    }
                    IndexBlock.Span span = block.spanOf(addon);
                    long spanEnd = Math.min(block.end(), low);
                    if (span != null && span.keepsLines()) {
                        for (ConsumerRecord<byte[], byte[]> record : span.records(topic, partition)) {
                            if (record.offset() < spanEnd) { // a block's kept lines all lie in it
                                kept.add(record);
                            }
                        }
                    } else if (span != null) {
                        pending.add(new long[] {Math.max(span.first(), block.start()), Math.min(span.last() + 1,
                                spanEnd)});
                    }
                    low = block.start();
                    if (pending.size() >= log.parallelism() || kept.size() >= n) {
                        prepend(found, partition, pending, kept);
                    }
                }
                prepend(found, partition, pending, kept);
                indexEnd = windowStart;
            }
            indexReachedItsStart = indexEnd <= indexBegin;
        }
        // what the index does not reach: scanned back in growing windows, within the budget
        for (long size = FIRST_WINDOW; indexReachedItsStart && found.size() < n && low > begin
                && log.bytesRead() < SCAN_BUDGET_BYTES; size *= 2) {
            long windowStart = Math.max(begin, low - size);
            prepend(found, partition, new ArrayList<>(List.of(new long[] {windowStart, low})), new ArrayList<>());
            low = windowStart;
        }
        return found;
    }

    /**
     * Puts the wanted lines of the {@code pending} ranges (newest first) and of the {@code kept} records (taken from
     * the index) before those found already, keeping the newest {@code n}, and empties both lists. Short ranges are
     * read side by side, others one by one.
     */
    private void prepend(ArrayDeque<Line> found, int partition, List<long[]> pending,
                         List<ConsumerRecord<byte[], byte[]>> kept) {
        if (pending.isEmpty() && kept.isEmpty() || found.size() >= n) {
            pending.clear();
            kept.clear();
            return;
        }
        List<long[]> ranges = new ArrayList<>(pending);
        ranges.removeIf(range -> range[0] >= range[1]);
        Collections.reverse(ranges); // oldest first: the order the lines are read in
        pending.clear();
        List<Line> lines = new ArrayList<>();
        Consumer<ConsumerRecord<byte[], byte[]>> keep = record -> {
            if (LogRecords.isOf(record, addonId) && wanted.test(record)) {
                lines.add(new Line(partition, record.offset(), record.timestamp()));
            }
        };
        kept.forEach(keep);
        kept.clear();
        if (ranges.size() > 1 && ranges.stream().allMatch(r -> r[1] - r[0] <= LogScan.NARROW_RANGE)) {
            log.readRanges(partition, ranges).forEach(keep);
        } else {
            ranges.forEach(range -> log.scan(partition, range[0], range[1], keep));
        }
        lines.sort(Comparator.comparingLong(Line::offset));
        for (int i = lines.size() - 1; i >= 0 && found.size() < n; i--) {
            found.addFirst(lines.get(i));
        }
    }
}
