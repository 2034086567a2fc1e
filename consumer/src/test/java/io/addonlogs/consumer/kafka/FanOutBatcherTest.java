package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class FanOutBatcherTest {

    private static final long MS = 1_000_000;

    /** What was sent, as "addon:offset,offset,..." per batch. */
    private final List<String> sent = new ArrayList<>();
    private final BiConsumer<String, List<ConsumerRecord<byte[], byte[]>>> send = (addon, records) ->
            sent.add(addon + ":" + String.join(",", records.stream().map(r -> String.valueOf(r.offset())).toList()));

    private static List<ConsumerRecord<byte[], byte[]>> lines(long from, long to, int bytes) {
        List<ConsumerRecord<byte[], byte[]>> lines = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            lines.add(new ConsumerRecord<>("logs", 0, offset, 0L, TimestampType.CREATE_TIME, 0, bytes, null,
                    new byte[bytes], new RecordHeaders(), Optional.empty()));
        }
        return lines;
    }

    @Test
    void anAddonWithFewViewersGetsItsLinesAtOnce() {
        FanOutBatcher batcher = new FanOutBatcher(50, 32);
        batcher.offer("a", lines(0, 3, 10), 31, 0, send);
        assertEquals(List.of("a:0,1,2"), sent);
        assertEquals(100, batcher.waitMillis(100, 0));
    }

    @Test
    void anAddonWithManyViewersGetsTheLinesOfSeveralPollsInOneBatchWhenDue() {
        FanOutBatcher batcher = new FanOutBatcher(50, 32);
        batcher.offer("a", lines(0, 2, 10), 32, 0, send);
        batcher.offer("b", lines(0, 1, 10), 500, 10 * MS, send);
        batcher.offer("a", lines(2, 4, 10), 32, 20 * MS, send);
        assertEquals(List.of(), sent);
        assertEquals(30, batcher.waitMillis(100, 20 * MS), "a is due 50 ms after its first line");
        batcher.sendDue(49 * MS, send);
        assertEquals(List.of(), sent);
        batcher.sendDue(50 * MS, send);
        assertEquals(List.of("a:0,1,2,3"), sent, "a's lines of both polls, in order; b not due yet");
        assertEquals(10, batcher.waitMillis(100, 50 * MS));
        batcher.sendDue(60 * MS, send);
        assertEquals(List.of("a:0,1,2,3", "b:0"), sent);
        assertEquals(100, batcher.waitMillis(100, 60 * MS));
    }

    @Test
    void heldLinesGoFirstWhenTheAddonLosesViewersOrGetsANewOne() {
        FanOutBatcher batcher = new FanOutBatcher(50, 32);
        batcher.offer("a", lines(0, 2, 10), 40, 0, send);
        batcher.offer("a", lines(2, 3, 10), 31, 5 * MS, send);
        assertEquals(List.of("a:0,1,2"), sent);
        batcher.offer("a", lines(3, 4, 10), 40, 6 * MS, send);
        batcher.sendNow("a", send);
        batcher.sendNow("a", send); // nothing held any more
        assertEquals(List.of("a:0,1,2", "a:3"), sent);
    }

    @Test
    void heldLinesGoOutOnceTheyWeighTheBoundAndNothingOnceDropped() {
        FanOutBatcher batcher = new FanOutBatcher(50, 1);
        int half = (int) (FanOutBatcher.MAX_HELD_BYTES / 2);
        batcher.offer("a", lines(0, 1, half), 1, 0, send);
        assertTrue(sent.isEmpty());
        batcher.offer("a", lines(1, 2, half), 1, MS, send);
        assertEquals(List.of("a:0,1"), sent);
        batcher.offer("b", lines(0, 1, 10), 1, 2 * MS, send);
        batcher.drop("b");
        batcher.sendDue(Long.MAX_VALUE / 2, send);
        assertEquals(List.of("a:0,1"), sent);
    }

    @Test
    void zeroHoldNeverHolds() {
        FanOutBatcher batcher = new FanOutBatcher(0, 1);
        batcher.offer("a", lines(0, 1, 10), 1000, 0, send);
        assertEquals(List.of("a:0"), sent);
    }
}
