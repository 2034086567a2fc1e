package io.addonlogs.consumer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** What a full step keeps for the next: each partition's records in order, a step's bytes at most. */
class LeftoversTest {

    private static final int QUARTER = HistoryReader.STEP_BYTES / 4;

    @Test
    void keepsEachPartitionsRecordsInOrderUpToAStepOfLines() {
        Leftovers leftovers = new Leftovers();
        assertTrue(leftovers.keep(record(0, 10, QUARTER)));
        assertTrue(leftovers.keep(record(1, 5, QUARTER)));
        assertTrue(leftovers.keep(record(0, 11, QUARTER)));
        assertTrue(leftovers.keep(record(0, 12, QUARTER)));
        assertFalse(leftovers.keep(record(1, 6, 1)), "a step's bytes kept already");
        assertEquals(10, leftovers.take(0).offset());
        assertTrue(leftovers.keep(record(1, 6, QUARTER)), "room again once one was taken");
        assertEquals(11, leftovers.take(0).offset());
        assertEquals(12, leftovers.take(0).offset());
        assertNull(leftovers.take(0));
        assertEquals(5, leftovers.take(1).offset());
        assertFalse(leftovers.isEmpty());
        assertEquals(6, leftovers.take(1).offset());
        assertTrue(leftovers.isEmpty());
    }

    @Test
    void aReplayIsNotDoneWhileItHasLeftovers() {
        Replay replay = new Replay("addon-a", Map.of(0, 0L), Map.of(0, 0L));
        replay.planned = true; // nothing to read
        assertTrue(replay.done());
        replay.leftovers.keep(record(0, 0, 0)); // an empty line counts too
        assertFalse(replay.done());
        replay.leftovers.take(0);
        assertTrue(replay.done());
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, int size) {
        return new ConsumerRecord<>("logs", partition, offset, 0L, TimestampType.CREATE_TIME, 0, size, null,
                new byte[size], new RecordHeaders(), Optional.empty());
    }
}
