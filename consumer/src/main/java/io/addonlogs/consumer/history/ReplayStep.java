package io.addonlogs.consumer.history;

import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.addonlogs.consumer.kafka.LogRecords;

/**
 * One step of a replay, run on a reading thread with its consumers ({@link HistoryReader#read}): polls until it found
 * some of the add-on's records, reached every {@code to}, or spent its time, handing over at most
 * {@link HistoryReader#STEP_BYTES} of lines. It follows the replay's plans ({@link RangePlan}, made from the index
 * on the first step), takes the lines the index kept from the index, reads a quiet add-on's short ranges side by side
 * and the rest with one consumer, and leaves each plan where the next step goes on, with what a full step fetched but
 * could not hand over ({@link Leftovers}), and the consumer where it stopped: the next step that reads on from there,
 * on this thread, needs no seek (a seek drops the fetch the consumer has prefetched and waits for a new one).
 */
final class ReplayStep {

    /** A step stops polling after this long at most (neighbours' lines only: it returns progress). */
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * Once a step found lines it goes on this much longer for more (the lines of a quiet add-on are one seek each: one
     * per step would cost a round trip through the queue and the event loop per line), within the step's bytes.
     */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Ranges this short are read whole without asking the index: one index block's worth of records costs less to
     * read than the index's round trips (the record at the start, the index's offsets, its blocks) cost to skip it.
     * A resume from a recent cursor is one.
     */
    private static final long SCAN_WITHOUT_INDEX = 4096;

    private final String topic;
    private final HistoryConsumers readers;
    private final Replay replay;
    private final AtomicLong recordsRead;
    private final AtomicLong keptLinesTaken;
    private final Gathered gathered;

    /** {@code recordsRead}, {@code keptLinesTaken}: the reader's counters of records fetched and lines kept taken. */
    ReplayStep(String topic, HistoryConsumers readers, Replay replay, AtomicLong recordsRead,
               AtomicLong keptLinesTaken) {
        this.topic = topic;
        this.readers = readers;
        this.replay = replay;
        this.recordsRead = recordsRead;
        this.keptLinesTaken = keptLinesTaken;
        this.gathered = new Gathered(replay.addonId, System.nanoTime() + STEP_NANOS);
    }

    /** Reads the step: the add-on's records found, in offset order per partition. */
    List<ConsumerRecord<byte[], byte[]>> read() {
        if (!replay.planned) {
            plan();
        }
        KafkaConsumer<byte[], byte[]> consumer = null;
        while (!replay.done() && gathered.wantsMore()) {
            Map<TopicPartition, RangePlan> reading = new HashMap<>();
            long longest = 0;
            for (RangePlan plan : replay.plans.values()) {
                takeLeftovers(plan.partition()); // first: they come before anything else of their partition
                while (plan.needsIndex() && gathered.inTime()) {
                    readIndex(readers.index(), plan);
                }
                takeKept(plan);
                if (plan.readFrom() >= 0 && plan.keptAhead() == null) {
                    reading.put(new TopicPartition(topic, plan.partition()), plan);
                    longest = Math.max(longest, plan.readLength());
                }
            }
            if (reading.isEmpty() || !gathered.hasRoom()) {
                continue; // a full step fetches no more: it could only keep it or fetch it again
            }
            List<long[]> scattered = reading.size() == 1 ? reading.values().iterator().next()
                    .shortRangesAhead(readers.scan().parallelism(), LogScan.NARROW_RANGE) : List.of();
            if (scattered.size() > 1) { // a quiet add-on's lines: their fetches side by side
                if (consumer != null) {
                    consumer.assign(List.of());
                    consumer = null;
                }
                RangePlan plan = reading.values().iterator().next();
                long readTo = scattered.get(scattered.size() - 1)[1];
                for (ConsumerRecord<byte[], byte[]> record : readers.scan().readRanges(plan.partition(), scattered)) {
                    if (!takeOrKeep(record, plan)) {
                        readTo = record.offset(); // read again by a later step
                        break;
                    }
                }
                plan.advance(readTo);
                continue;
            }
            KafkaConsumer<byte[], byte[]> chosen = readers.scan().consumerFor(longest);
            if (consumer != null && chosen != consumer) {
                consumer.assign(List.of());
            }
            consumer = chosen;
            // partitions where a poll left it (this step's, or an earlier step's on this thread, of any replay): the
            // scan's reads leave it unassigned
            Set<TopicPartition> positioned = Set.copyOf(consumer.assignment());
            if (!reading.keySet().equals(positioned)) {
                consumer.assign(reading.keySet());
            }
            // seek only where the consumer is not where the plan reads on: a seek drops the fetch it has prefetched
            for (Map.Entry<TopicPartition, RangePlan> entry : reading.entrySet()) {
                long from = entry.getValue().readFrom();
                if (!positioned.contains(entry.getKey()) || consumer.position(entry.getKey()) != from) {
                    consumer.seek(entry.getKey(), from);
                }
            }
            Map<TopicPartition, Long> notTaken = new HashMap<>(); // where a partition resumes, once one was not kept
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                recordsRead.incrementAndGet();
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (!notTaken.containsKey(tp) && !takeOrKeep(record, reading.get(tp))) {
                    notTaken.put(tp, record.offset());
                }
            }
            for (Map.Entry<TopicPartition, RangePlan> entry : reading.entrySet()) {
                entry.getValue().advance(notTaken.getOrDefault(entry.getKey(), consumer.position(entry.getKey())));
            }
        }
        return gathered.records;
    }

    /**
     * Takes a record read from the log, or once the step is full keeps it for the next step if it is one the plan
     * wants; false if it could do neither (the replay's leftovers are full): it is to be read again.
     */
    private boolean takeOrKeep(ConsumerRecord<byte[], byte[]> record, RangePlan plan) {
        return gathered.offer(record, plan) || !gathered.wants(record, plan) || replay.leftovers.keep(record);
    }

    /** Hands over what the previous step kept of the partition, as long as the step has room. */
    private void takeLeftovers(int partition) {
        ConsumerRecord<byte[], byte[]> record;
        while (gathered.hasRoom() && (record = replay.leftovers.take(partition)) != null) {
            gathered.add(record); // the plan moved past it already
        }
    }

    /** Takes the lines the index kept at the head of the plan, as long as the step has room for them. */
    private void takeKept(RangePlan plan) {
        for (IndexBlock.Span kept = plan.keptAhead(); kept != null && gathered.hasRoom(); kept = plan.keptAhead()) {
            long takenTo = plan.keptEnd();
            int before = gathered.records.size();
            for (ConsumerRecord<byte[], byte[]> record : kept.records(topic, plan.partition())) {
                if (!gathered.offer(record, plan)) {
                    takenTo = record.offset(); // the step is full: taken by the next step
                    break;
                }
            }
            keptLinesTaken.addAndGet(gathered.records.size() - before);
            plan.advance(takenTo);
        }
    }

    /**
     * What a step found so far: the add-on's records its plans want, up to {@link HistoryReader#STEP_BYTES},
     * gathering for {@link #GATHER_NANOS} more once it found some, until its deadline.
     */
    private static final class Gathered {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        private final byte[] addonId;
        private long bytes;
        private long deadline;

        Gathered(String addonId, long deadline) {
            this.addonId = addonId.getBytes(StandardCharsets.UTF_8);
            this.deadline = deadline;
        }

        boolean inTime() {
            return System.nanoTime() - deadline < 0;
        }

        boolean wantsMore() {
            return hasRoom() && inTime();
        }

        boolean hasRoom() {
            return bytes < HistoryReader.STEP_BYTES;
        }

        /**
         * Takes the record if the plan wants it and it is the add-on's; false, taking nothing, once the step holds
         * {@link HistoryReader#STEP_BYTES} (a fetch is compressed: it can bring many times that in lines).
         */
        boolean offer(ConsumerRecord<byte[], byte[]> record, RangePlan plan) {
            if (!hasRoom()) {
                return false;
            }
            if (wants(record, plan)) {
                add(record);
            }
            return true;
        }

        /** Whether the record is the add-on's and the plan wants it (records come in offset order). */
        boolean wants(ConsumerRecord<byte[], byte[]> record, RangePlan plan) {
            return plan != null && plan.wants(record.offset()) && LogRecords.isOf(record, addonId);
        }

        /** Takes the record, whatever its plan: counted in the step's bytes all the same. */
        void add(ConsumerRecord<byte[], byte[]> record) {
            if (records.isEmpty()) {
                deadline = Math.min(deadline, System.nanoTime() + GATHER_NANOS);
            }
            records.add(record);
            bytes += Math.max(0, record.serializedValueSize());
        }
    }

    /**
     * Makes each partition's plan: its ranges are found from the index blocks that can cover its first record, the
     * index being read from the first block whose running maximum timestamp reaches that record's.
     */
    private void plan() {
        boolean indexed = readers.index().partitions() > 0;
        replay.from.forEach((p, start) -> {
            long end = replay.to.getOrDefault(p, start);
            if (!indexed || end - start <= SCAN_WITHOUT_INDEX) {
                replay.plans.put(p, new RangePlan(p, replay.addon, start, end, -1, -1)); // scanned whole
                return;
            }
            Long firstTimestamp = readers.scan().firstTimestamp(p, start, end);
            int q = readers.index().partitionOf(p);
            replay.plans.put(p, firstTimestamp == null
                    ? new RangePlan(p, replay.addon, end, end, -1, -1) // no record in the range at all
                    : new RangePlan(p, replay.addon, start, end, readers.index().firstAt(q, firstTimestamp),
                            readers.index().end(q)));
        });
        replay.planned = true;
    }

    private static void readIndex(IndexTopic index, RangePlan plan) {
        IndexTopic.Page page = index.read(index.partitionOf(plan.partition()), plan.indexNext(), plan.indexUntil());
        page.blocks().forEach(plan::add);
        plan.indexNext(page.next());
        if (page.atEnd()) {
            plan.indexEnded();
        }
    }
}
