package io.addonlogs.consumer.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Reading the history index topic through one {@link KafkaConsumer} (manually assigned, no group), owned by the
 * thread that calls: a history reader's or the indexer's. The blocks of log partition {@code p} are in index
 * partition {@code p % partitions()}, in the order they were written.
 */
final class IndexTopic {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** How often a missing index topic, or a change in its partitions, is looked for again. */
    private static final long RECHECK_NANOS = Duration.ofSeconds(30).toNanos();

    /** Blocks read from one index partition, and where the next read goes on from. */
    record Page(List<IndexBlock> blocks, long next, boolean atEnd) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private int partitions;
    private long checkedAt;

    IndexTopic(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.topic = topic;
    }

    /** The index topic's partition count, 0 while it does not exist (history is then read without it). */
    int partitions() {
        long now = System.nanoTime();
        if (checkedAt == 0 || now - checkedAt > RECHECK_NANOS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            partitions = infos == null ? 0 : infos.size();
            checkedAt = now;
        }
        return partitions;
    }

    /** The index partition holding the blocks of log partition {@code logPartition} ({@code partitions() > 0}). */
    int partitionOf(int logPartition) {
        return logPartition % partitions();
    }

    /**
     * The first index offset of {@code indexPartition} whose block can cover a record with timestamp {@code ts}: a
     * block's timestamp is the running maximum of the log's, so every block before it ends before such a record.
     */
    long firstAt(int indexPartition, long timestamp) {
        TopicPartition tp = new TopicPartition(topic, indexPartition);
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, timestamp), TIMEOUT).get(tp);
        return found != null ? found.offset() : end(indexPartition);
    }

    long end(int indexPartition) {
        TopicPartition tp = new TopicPartition(topic, indexPartition);
        return consumer.endOffsets(Set.of(tp), TIMEOUT).get(tp);
    }

    long beginning(int indexPartition) {
        TopicPartition tp = new TopicPartition(topic, indexPartition);
        return consumer.beginningOffsets(Set.of(tp), TIMEOUT).get(tp);
    }

    /** One fetch's worth of blocks of {@code indexPartition} in {@code [from, until)}. */
    Page read(int indexPartition, long from, long until) {
        if (from >= until) {
            return new Page(List.of(), from, true);
        }
        TopicPartition tp = new TopicPartition(topic, indexPartition);
        List<IndexBlock> blocks = new ArrayList<>();
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long next = from;
        while (blocks.isEmpty() && next < until && System.nanoTime() - deadline < 0) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                IndexBlock block = record.offset() < until ? IndexBlock.decode(record.value()) : null;
                if (block != null) {
                    blocks.add(block);
                }
            }
            next = Math.min(consumer.position(tp, TIMEOUT), until);
        }
        consumer.assign(List.of());
        return new Page(blocks, next, next >= until);
    }

    /** The blocks of {@code indexPartition} in {@code [from, until)}, in order. */
    List<IndexBlock> window(int indexPartition, long from, long until) {
        List<IndexBlock> blocks = new ArrayList<>();
        long next = from;
        while (next < until) {
            Page page = read(indexPartition, next, until);
            blocks.addAll(page.blocks());
            if (page.next() <= next) {
                break; // nothing came within the timeout: what was read is all this call gives
            }
            next = page.next();
        }
        return blocks;
    }

    /** The newest block of {@code logPartition}, or null when the index has none. */
    IndexBlock last(int logPartition) {
        int q = partitionOf(logPartition);
        long begin = beginning(q);
        long end = end(q);
        for (long size = 64; end > begin; size *= 4) {
            long from = Math.max(begin, end - size);
            IndexBlock newest = null;
            for (IndexBlock block : window(q, from, end)) {
                if (block.partition() == logPartition) {
                    newest = block;
                }
            }
            if (newest != null) {
                return newest;
            }
            end = from;
        }
        return null;
    }
}
