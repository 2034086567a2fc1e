package io.addonlogs.consumer.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads offset ranges of one partition of the logs topic through consumers owned by the calling thread: a wide one
 * (large fetches, for long ranges) and a narrow one (a fetch of about one producer batch, for the few records of a
 * quiet add-on among busy neighbours: a broker answers a fetch from the batch holding its offset onwards, so a wide
 * fetch there would bring a quarter megabyte of the neighbours' lines for one line).
 */
final class LogScan {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Ranges of at most this many offsets are read with the narrow consumer. */
    static final long NARROW_RANGE = 64;

    private final KafkaConsumer<byte[], byte[]> wide;
    private final KafkaConsumer<byte[], byte[]> narrow;
    /** Narrow consumers (the first is {@link #narrow}) reading scattered ranges of one partition side by side. */
    private final List<KafkaConsumer<byte[], byte[]>> scattered;
    private final String topic;
    private final AtomicLong recordsRead;
    private long bytesRead;

    /**
     * {@code scattered}: narrow consumers, the first used for short ranges one at a time; {@code recordsRead}: counts
     * every record fetched, whatever its add-on.
     */
    LogScan(KafkaConsumer<byte[], byte[]> wide, List<KafkaConsumer<byte[], byte[]>> scattered, String topic,
            AtomicLong recordsRead) {
        this.wide = wide;
        this.narrow = scattered.get(0);
        this.scattered = scattered;
        this.topic = topic;
        this.recordsRead = recordsRead;
    }

    /** A scan through the same consumers, with its own byte count. */
    LogScan fresh() {
        return new LogScan(wide, scattered, topic, recordsRead);
    }

    /** How many short ranges {@link #readRanges} reads at once. */
    int parallelism() {
        return scattered.size();
    }

    /**
     * The records of short {@code ranges} of the partition (at most {@link #parallelism()}, in offset order), each
     * read by its own narrow consumer at the same time: a quiet add-on's lines are one fetch each, and fetches one
     * after the other would cost a round trip per line.
     */
    List<ConsumerRecord<byte[], byte[]>> readRanges(int partition, List<long[]> ranges) {
        TopicPartition tp = new TopicPartition(topic, partition);
        List<List<ConsumerRecord<byte[], byte[]>>> read = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            KafkaConsumer<byte[], byte[]> consumer = scattered.get(i);
            consumer.assign(List.of(tp));
            consumer.seek(tp, ranges.get(i)[0]);
            read.add(new ArrayList<>());
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            boolean[] done = new boolean[ranges.size()];
            for (int left = ranges.size(), round = 0; left > 0; round++) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("partition " + partition + " did not answer within " + TIMEOUT);
                }
                for (int i = 0; i < ranges.size(); i++) {
                    if (done[i]) {
                        continue;
                    }
                    // the first round sends every fetch without waiting; then each waits a little for its answer
                    KafkaConsumer<byte[], byte[]> consumer = scattered.get(i);
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(round == 0 ? Duration.ZERO
                            : Duration.ofMillis(1))) {
                        recordsRead.incrementAndGet();
                        if (record.offset() < ranges.get(i)[1]) {
                            bytesRead += Math.max(0, record.serializedValueSize());
                            read.get(i).add(record);
                        }
                    }
                    if (consumer.position(tp, TIMEOUT) >= ranges.get(i)[1]) {
                        done[i] = true;
                        left--;
                    }
                }
            }
        } finally {
            for (int i = 0; i < ranges.size(); i++) {
                scattered.get(i).assign(List.of());
            }
        }
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        read.forEach(all::addAll);
        return all;
    }

    /** The consumer to read {@code length} offsets with. */
    KafkaConsumer<byte[], byte[]> consumerFor(long length) {
        return length <= NARROW_RANGE ? narrow : wide;
    }

    /** Record bytes this scan read so far. */
    long bytesRead() {
        return bytesRead;
    }

    /** Hands every record of {@code [from, to)} of the partition to {@code each}, in order. */
    void scan(int partition, long from, long to, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        if (from >= to) {
            return;
        }
        KafkaConsumer<byte[], byte[]> consumer = consumerFor(to - from);
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long position = from;
        try {
            while (position < to) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("partition " + partition + " did not answer within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    recordsRead.incrementAndGet();
                    if (record.offset() < to) {
                        bytesRead += Math.max(0, record.serializedValueSize());
                        each.accept(record);
                    }
                }
                position = consumer.position(tp, TIMEOUT);
            }
        } finally {
            consumer.assign(List.of());
        }
    }

    /** The timestamp of the first record at or after {@code from} and before {@code to}, or null if there is none. */
    Long firstTimestamp(int partition, long from, long to) {
        if (from >= to) {
            return null;
        }
        KafkaConsumer<byte[], byte[]> consumer = narrow;
        TopicPartition tp = new TopicPartition(topic, partition);
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (consumer.position(tp, TIMEOUT) < to) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("partition " + partition + " did not answer within " + TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    recordsRead.incrementAndGet();
                    return record.offset() < to ? record.timestamp() : null;
                }
            }
            return null;
        } finally {
            consumer.assign(List.of());
        }
    }
}
