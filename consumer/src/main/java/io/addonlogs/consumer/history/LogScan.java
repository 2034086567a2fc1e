package io.addonlogs.consumer.history;

import java.time.Duration;
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
    private final String topic;
    private final AtomicLong recordsRead;
    private long bytesRead;

    /** {@code recordsRead}: counts every record fetched, whatever its add-on. */
    LogScan(KafkaConsumer<byte[], byte[]> wide, KafkaConsumer<byte[], byte[]> narrow, String topic,
            AtomicLong recordsRead) {
        this.wide = wide;
        this.narrow = narrow;
        this.topic = topic;
        this.recordsRead = recordsRead;
    }

    /** A scan through the same consumers, with its own byte count. */
    LogScan fresh() {
        return new LogScan(wide, narrow, topic, recordsRead);
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
