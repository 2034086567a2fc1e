package io.addonlogs.consumer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The plan finds every record of the add-on whatever the index holds: blocks complete, lost, written twice with other
 * bounds, out of order, or none at all; and it reads far less than the range when the index is complete.
 */
class RangePlanTest {

    private static final long A = IndexBlock.hash("addon-a");
    private static final long B = IndexBlock.hash("addon-b");

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

    /**
     * Random logs of three add-ons and random indexes of them, with blocks lost, written twice with other bounds (a
     * second writer after a rebalance) and late; reading the plan the way the history reader does (a fetch of random
     * length from where the plan says, records beyond the fetch dropped) finds exactly the add-on's records.
     */
    @Test
    void everyRecordIsFoundWhateverTheIndexHolds() {
        Random random = new Random(42);
        long[] addons = {A, B, IndexBlock.hash("addon-c")};
        int scatteredReads = 0;
        for (int round = 0; round < 2000; round++) {
            // every other round a long log where A is rare: its ranges are short and far apart
            boolean sparse = round % 2 == 1;
            int size = 1 + random.nextInt(sparse ? 4000 : 400);
            long[] log = new long[size];
            for (int i = 0; i < size; i++) {
                log[i] = sparse ? (random.nextInt(300) == 0 ? A : addons[1 + random.nextInt(2)])
                        : addons[random.nextInt(random.nextBoolean() ? 3 : 2)];
            }
            List<IndexBlock> index = new ArrayList<>();
            writeIndex(log, random, index);
            if (random.nextInt(3) == 0) { // a second writer, re-indexing from some earlier point with other bounds
                List<IndexBlock> second = new ArrayList<>();
                writeIndex(log, random, second);
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
    }

    /** Contiguous blocks over the whole log, cut at random, as one indexer writes them. */
    private static void writeIndex(long[] log, Random random, List<IndexBlock> out) {
        int start = 0;
        while (start < log.length) {
            int end = Math.min(log.length, start + 1 + random.nextInt(log.length > 400 ? 100 : 40));
            BlockBuilder builder = new BlockBuilder(0, start, -1);
            for (int offset = start; offset < end; offset++) {
                if (random.nextInt(20) != 0) { // some offsets hold no record (control records)
                    builder.add(offset, offset, ("addon-" + "abc".charAt(indexOf(log[offset]))).getBytes());
                } else if (log[offset] == A) {
                    builder.add(offset, offset, "addon-a".getBytes());
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
