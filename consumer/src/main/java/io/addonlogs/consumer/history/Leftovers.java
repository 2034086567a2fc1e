package io.addonlogs.consumer.history;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The add-on's records a full step fetched but could not hand over, kept in the {@link Replay} for its next step:
 * a poll brings up to 500 records, and fetching again the rest of the one that filled a step read a quarter of a busy
 * add-on's records twice. The next step hands them over before anything else of their partition, so each partition's
 * records stay in offset order. Bounded to {@link HistoryReader#STEP_BYTES} of lines, as a step is: a replay whose
 * viewer stops reading holds at most that much more; beyond it, records are fetched again as before.
 */
final class Leftovers {

    private final Map<Integer, ArrayDeque<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
    private long bytes;

    /** Keeps the record, after those kept of its partition; false, keeping nothing, if it does not fit. */
    boolean keep(ConsumerRecord<byte[], byte[]> record) {
        long size = Math.max(0, record.serializedValueSize());
        if (bytes + size > HistoryReader.STEP_BYTES) {
            return false;
        }
        byPartition.computeIfAbsent(record.partition(), p -> new ArrayDeque<>()).add(record);
        bytes += size;
        return true;
    }

    /** The first record kept of the partition, removed; null if none is. */
    ConsumerRecord<byte[], byte[]> take(int partition) {
        ArrayDeque<ConsumerRecord<byte[], byte[]>> kept = byPartition.get(partition);
        if (kept == null) {
            return null;
        }
        ConsumerRecord<byte[], byte[]> record = kept.poll();
        if (kept.isEmpty()) {
            byPartition.remove(partition); // so that no partition without records is left
        }
        bytes -= Math.max(0, record.serializedValueSize());
        return record;
    }

    boolean isEmpty() {
        return byPartition.isEmpty();
    }
}
