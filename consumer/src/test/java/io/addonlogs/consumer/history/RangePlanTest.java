package io.addonlogs.consumer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.addonlogs.consumer.kafka.LogRecords;

/**
 * The plan finds every record of the add-on whatever the index holds: blocks complete, lost, written twice with other
 * bounds, out of order, or none at all; and it reads far less than the range when the index is complete.
 */
class RangePlanTest {

    private static final long A = IndexBlock.hash("addon-a");
    private static final long B = IndexBlock.hash("addon-b");
    private static final ByteBuffer LONG_LINE = ByteBuffer.wrap(new byte[2000]).asReadOnlyBuffer();
    private static final ByteBuffer SHORT_LINE = ByteBuffer.wrap(new byte[20]).asReadOnlyBuffer();

    @Test
    void aCompleteIndexPlansOnlyTheAddonsSpans() {
        RangePlan plan = new RangePlan(0, A, 0, 3000, 0, 3);
        plan.add(block(0, 1000, new IndexBlock.Span(A, 10, 12, 2), new IndexBlock.Span(B, 0, 999, 998)));
        plan.add(block(1000, 2000, new IndexBlock.Span(B, 1000, 1999, 1000)));
        plan.add(block(2000, 3000, new IndexBlock.Span(A, 2500, 2500, 1), new IndexBlock.Span(B, 2000, 2999, 999)));
        assertEquals(10, plan.readFrom());
        assertEquals(3, plan.readLength());
        plan.advance(13);
        assertEquals(2500, plan.readFrom());
        plan.advance(2501);
        assertTrue(plan.done());
    }

    @Test
    void offsetsNoBlockCoversAreScannedWhole() {
        RangePlan plan = new RangePlan(0, A, 0, 3000, 0, 2);
        plan.add(block(0, 1000, new IndexBlock.Span(B, 0, 999, 1000)));
        plan.add(block(1500, 2000, new IndexBlock.Span(B, 1500, 1999, 500))); // 1000-1500 lost
        assertEquals(1000, plan.readFrom());
        plan.advance(1500);
        assertTrue(plan.needsIndex());
        plan.indexEnded(); // the index stops at 2000: the rest is scanned
        assertEquals(2000, plan.readFrom());
        plan.advance(3000);
        assertTrue(plan.done());
    }

    @Test
    void blocksAreDecodedAsTheyWereEncoded() {
        IndexBlock block = new IndexBlock(7, 1_000_000, 1_004_096, 1_764_000_000_000L,
                List.of(new IndexBlock.Span(A, 1_000_010, 1_004_000, 4000), new IndexBlock.Span(B, 1_000_000,
                        1_000_000, 1)));
        assertEquals(block, IndexBlock.decode(block.encode()));
        assertTrue(block.encode().length < 50, "a block of two add-ons is a few dozen bytes");
        assertNull(IndexBlock.decode(new byte[] {9, 1, 2}));
        assertNull(IndexBlock.decode(new byte[] {1, 1}));
    }

    @Test
    void keptLinesAreDecodedAsTheyWereEncodedAndVersionOneIsStillRead() {
        IndexBlock block = new IndexBlock(3, 500, 4596, 1_764_000_000_000L, List.of(
                new IndexBlock.Span(A, 510, 4000, 3000),
                new IndexBlock.Span(B, 700, 900, 2, "addon-b", List.of(
                        new IndexBlock.KeptLine(700, 1_764_000_000_001L, "first line".getBytes()),
                        new IndexBlock.KeptLine(900, 1_764_000_000_002L, "second line".getBytes())))));
        IndexBlock decoded = IndexBlock.decode(block.encode());
        assertEquals(block.spans().get(0), decoded.spans().get(0));
        IndexBlock.Span kept = decoded.spanOf(B);
        assertEquals("addon-b", kept.addonId());
        assertEquals(List.of(700L, 900L), kept.kept().stream().map(IndexBlock.KeptLine::offset).toList());
        assertEquals("second line", new String(kept.records("logs", 3).get(1).value()));
        assertEquals("addon-b", LogRecords.addonId(kept.records("logs", 3).get(0)));
        assertEquals(1_764_000_000_001L, kept.records("logs", 3).get(0).timestamp());
        // written by the previous version: the same without the kept-line count
        byte[] v1 = {1, 0, 10, 5, 100, 1, 0, 0, 0, 0, 0, 0, 0, 7, 2, 1, 2};
        assertEquals(new IndexBlock(0, 10, 15, 100, List.of(new IndexBlock.Span(7, 12, 13, 2))), IndexBlock.decode(v1));
        byte[] truncated = block.encode();
        assertNull(IndexBlock.decode(java.util.Arrays.copyOf(truncated, truncated.length - 3)));
    }

    /**
     * A block keeps the lines of add-ons with few of them, smallest first, within its share of the block's line bytes;
     * an add-on with more lines than {@link BlockBuilder#KEEP_MAX_LINES} keeps none.
     */
    @Test
    void aBlockKeepsTheFewLinesOfQuietAddonsWithinItsShare() {
        BlockBuilder builder = new BlockBuilder(0, 0, -1);
        ByteBuffer busyLine = ByteBuffer.wrap(new byte[1000]);
        long offset = 0;
        for (int i = 0; i < 1000; i++) { // 1 MB of a busy add-on: a share of about 3.9 KB
            builder.add(offset++, i, "addon-c".getBytes(), busyLine);
        }
        builder.add(offset++, 5, "addon-a".getBytes(), ByteBuffer.wrap("a quiet line".getBytes()));
        for (int i = 0; i < 3; i++) { // 3 KB: fits the share alone, not beside addon-a's
            builder.add(offset++, 6, "addon-b".getBytes(), ByteBuffer.wrap(new byte[1000]));
        }
        for (int i = 0; i < 3; i++) {
            builder.add(offset++, 7, "addon-d".getBytes(), ByteBuffer.wrap(new byte[1300]));
        }
        IndexBlock block = builder.close(offset);
        assertEquals(List.of("a quiet line"), block.spanOf(A).kept().stream().map(l -> new String(l.value())).toList());
        assertTrue(block.spanOf(B).keepsLines(), "the next smallest fits beside the first");
        assertFalse(block.spanOf(IndexBlock.hash("addon-d")).keepsLines(), "beyond the block's share");
        assertFalse(block.spanOf(IndexBlock.hash("addon-c")).keepsLines(), "too many lines to keep");
        assertEquals(1000, block.spanOf(IndexBlock.hash("addon-c")).count());
        assertTrue(block.encode().length < 1_005_000 / BlockBuilder.KEEP_SHARE + 100, "within the share");

        BlockBuilder small = new BlockBuilder(0, 0, -1); // too few bytes in the block for a share
        small.add(0, 1, "addon-a".getBytes(), ByteBuffer.wrap("a quiet line".getBytes()));
        small.add(1, 1, "addon-c".getBytes(), ByteBuffer.wrap(new byte[1000]));
        assertFalse(small.close(2).spanOf(A).keepsLines());
    }

    /**
     * Random logs of three add-ons and random indexes of them, with blocks lost, written twice with other bounds (a
     * second writer after a rebalance) and late, some keeping the add-on's lines; reading the plan the way the history
     * reader does (a fetch of random length from where the plan says, records beyond the fetch dropped; kept lines
     * taken from the index, a step sometimes full midway) finds exactly the add-on's records, with their values.
     */
    @Test
    void everyRecordIsFoundWhateverTheIndexHolds() {
        Random random = new Random(42);
        long[] addons = {A, B, IndexBlock.hash("addon-c")};
        int scatteredReads = 0;
        int keptTaken = 0;
        for (int round = 0; round < 2000; round++) {
            // every other round a long log where A is rare: its ranges are short and far apart
            boolean sparse = round % 2 == 1;
            int size = 1 + random.nextInt(sparse ? 4000 : 400);
            long[] log = new long[size];
            for (int i = 0; i < size; i++) {
                log[i] = sparse ? (random.nextInt(300) == 0 ? A : addons[1 + random.nextInt(2)])
                        : addons[random.nextInt(random.nextBoolean() ? 3 : 2)];
            }
            // the neighbours' lines long (A's lines often kept in the index) or short (blocks too small to keep any)
            ByteBuffer neighbourLine = round % 4 < 2 ? LONG_LINE : SHORT_LINE;
            List<IndexBlock> index = new ArrayList<>();
            writeIndex(log, random, index, neighbourLine);
            if (random.nextInt(3) == 0) { // a second writer, re-indexing from some earlier point with other bounds
                List<IndexBlock> second = new ArrayList<>();
                writeIndex(log, random, second, neighbourLine);
                int from = random.nextInt(second.size() + 1);
                int at = random.nextInt(index.size() + 1);
                index.addAll(at, second.subList(from, second.size()));
            }
            index.removeIf(b -> random.nextInt(6) == 0); // lost blocks
            int from = random.nextInt(size + 1);
            int to = from + random.nextInt(size - from + 1);
            RangePlan plan = new RangePlan(0, A, from, to, 0, index.size());
            List<Integer> found = new ArrayList<>();
            int next = 0;
            int reads = 0;
            while (!plan.done()) {
                IndexBlock.Span kept = plan.keptAhead();
                if (kept != null) { // taken from the index, as the history reader does
                    long takenTo = plan.keptEnd();
                    for (IndexBlock.KeptLine line : kept.kept()) {
                        if (random.nextInt(10) == 0) { // the step is full: the next one takes the rest
                            takenTo = line.offset();
                            break;
                        }
                        if (plan.wants(line.offset()) && "addon-a".equals(kept.addonId())) {
                            assertEquals("a-" + line.offset(), new String(line.value()), "the log's own line");
                            found.add((int) line.offset());
                        }
                    }
                    plan.advance(takenTo);
                    keptTaken++;
                    assertTrue(++reads < 10_000, "the plan ends");
                    continue;
                }
                if (plan.needsIndex()) {
                    int page = 1 + random.nextInt(sparse ? 50 : 4);
                    for (int i = 0; i < page && next < index.size(); i++) {
                        plan.add(index.get(next++));
                    }
                    if (next == index.size()) {
                        plan.indexEnded();
                    }
                    continue;
                }
                List<long[]> scattered = plan.shortRangesAhead(4, 64);
                if (scattered.size() > 1 && random.nextBoolean()) { // read side by side, as the history reader does
                    for (long[] range : scattered) {
                        for (long offset = range[0]; offset < range[1]; offset++) {
                            if (plan.wants(offset) && log[(int) offset] == A) {
                                found.add((int) offset);
                            }
                        }
                    }
                    plan.advance(scattered.get(scattered.size() - 1)[1]);
                    assertTrue(++reads < 10_000, "the plan ends");
                    scatteredReads++;
                    continue;
                }
                long start = plan.readFrom();
                long end = Math.min(size, start + 1 + random.nextInt(50));
                for (long offset = start; offset < end; offset++) {
                    if (plan.wants(offset) && log[(int) offset] == A) {
                        found.add((int) offset);
                    }
                }
                plan.advance(end);
                assertTrue(++reads < 10_000, "the plan ends");
            }
            List<Integer> expected = new ArrayList<>();
            for (int offset = from; offset < to; offset++) {
                if (log[offset] == A) {
                    expected.add(offset);
                }
            }
            assertEquals(expected, found, "round " + round);
        }
        assertTrue(scatteredReads > 20, "short ranges were read side by side " + scatteredReads + " times");
        assertTrue(keptTaken > 1000, "kept lines were taken from the index " + keptTaken + " times");
    }

    /** Contiguous blocks over the whole log, cut at random, as one indexer writes them. */
    private static void writeIndex(long[] log, Random random, List<IndexBlock> out, ByteBuffer neighbourLine) {
        int start = 0;
        while (start < log.length) {
            int end = Math.min(log.length, start + 1 + random.nextInt(log.length > 400 ? 100 : 40));
            BlockBuilder builder = new BlockBuilder(0, start, -1);
            for (int offset = start; offset < end; offset++) {
                // A's lines are small, its neighbours' large: blocks keep A's lines when it has few there
                ByteBuffer value = log[offset] == A ? ByteBuffer.wrap(("a-" + offset).getBytes()) : neighbourLine;
                if (random.nextInt(20) != 0) { // some offsets hold no record (control records)
                    builder.add(offset, offset, ("addon-" + "abc".charAt(indexOf(log[offset]))).getBytes(), value);
                } else if (log[offset] == A) {
                    builder.add(offset, offset, "addon-a".getBytes(), value);
                }
            }
            out.add(builder.close(end));
            start = end;
        }
    }

    private static int indexOf(long addon) {
        return addon == A ? 0 : addon == B ? 1 : 2;
    }

    private static IndexBlock block(long start, long end, IndexBlock.Span... spans) {
        return new IndexBlock(0, start, end, end, List.of(spans));
    }
}
