package io.addonlogs.drain.kafka;

import io.addonlogs.service.kafka.ClientConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

import io.addonlogs.consumer.kafka.LogRecords;
import io.addonlogs.service.kafka.SupervisedLoop;

/**
 * The shared live read: one member of the workers' consumer group on the logs topic. On taking a partition it reads
 * the cursors topic to its end (so every drain starts where its last acknowledged delivery left it), starts the
 * partition at its end offset and tells the {@link Listener}; from then on each poll is handed over per partition,
 * contiguous, with the lines of drained add-ons rewritten once ({@code prepare}, on this thread). No offsets are
 * committed: positions are the drains' own cursors. Drains never hold this read up: one that cannot take a batch
 * falls behind and catches up from Kafka, so at most {@link #MAX_BATCHES_QUEUED} polls wait for the worker's event
 * loop, which only sorts them.
 */
public final class LogTap implements AutoCloseable {

    static final int MAX_BATCHES_QUEUED = 4;

    /** The worker's side, called from this tap's thread; it hops to its own context. */
    public interface Listener {
        void assigned(int partition, long liveStart, int partitionCount);

        void revoked(Collection<Integer> partitions);

        /** Hands a poll's batches; {@code done} must run once the worker has taken them. */
        void batches(List<PartitionBatch> batches, Runnable done);
    }

    private final String topic;
    private final DrainCursors cursors;
    private final Listener listener;
    private final LinePreparer prepare;
    private final Semaphore queued = new Semaphore(MAX_BATCHES_QUEUED);
    private final SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop;

    /** Turns a poll's records of one partition into the lines drains want, by add-on. */
    @FunctionalInterface
    public interface LinePreparer {
        PartitionBatch.Prepared prepare(List<ConsumerRecord<byte[], byte[]>> records);
    }

    public LogTap(Map<String, String> kafka, String topic, String group, DrainCursors cursors, LinePreparer prepare,
                  Listener listener) {
        this.topic = topic;
        this.cursors = cursors;
        this.prepare = prepare;
        this.listener = listener;
        this.loop = new SupervisedLoop<>("drain-log-tap", () -> newConsumer(kafka, group), this::run,
                SupervisedLoop.Backoff.DEFAULT);
    }

    private static KafkaConsumer<byte[], byte[]> newConsumer(Map<String, String> kafka, String group) {
        Map<String, Object> config = LogRecords.readerSettings("log-drain-tap");
        // the workers share the partitions: each is read live by one worker
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        // cooperative: a worker joining takes partitions without every other worker stopping all of its own
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        return new KafkaConsumer<>(ClientConfig.of(kafka, config));
    }

    public LogTap start() {
        loop.start();
        return this;
    }

    public SupervisedLoop<?> loop() {
        return loop;
    }

    private void run(KafkaConsumer<byte[], byte[]> consumer, SupervisedLoop.Attempt attempt)
            throws InterruptedException {
        attempt.awaitPartitions(topic);
        Map<Integer, Long> owned = new HashMap<>();
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                lose(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                lose(partitions);
            }

            private void lose(Collection<TopicPartition> partitions) {
                List<Integer> ps = partitions.stream().map(TopicPartition::partition).toList();
                ps.forEach(owned::remove);
                if (!ps.isEmpty()) {
                    listener.revoked(ps);
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                if (partitions.isEmpty()) {
                    return;
                }
                awaitCursors(consumer);
                // asked again at each assignment: partitions added to the topic move add-ons' new lines
                int partitionCount = consumer.partitionsFor(topic).size();
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
                for (TopicPartition tp : partitions) {
                    consumer.seek(tp, ends.get(tp));
                    owned.put(tp.partition(), ends.get(tp));
                    listener.assigned(tp.partition(), ends.get(tp), partitionCount);
                }
            }
        });
        try {
            while (attempt.running()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                attempt.caughtUp();
                List<PartitionBatch> batches = new ArrayList<>();
                for (TopicPartition tp : consumer.assignment()) {
                    Long from = owned.get(tp.partition());
                    if (from == null) {
                        continue;
                    }
                    long to = consumer.position(tp);
                    if (to == from) {
                        continue;
                    }
                    batches.add(new PartitionBatch(tp.partition(), from, to, prepare.prepare(records.records(tp))));
                    owned.put(tp.partition(), to);
                }
                if (!batches.isEmpty()) {
                    while (!queued.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                        if (!attempt.running()) {
                            return;
                        }
                    }
                    listener.batches(batches, queued::release);
                }
            }
        } finally {
            if (!owned.isEmpty()) {
                listener.revoked(List.copyOf(owned.keySet()));
            }
        }
    }

    /** Waits until this worker has read every cursor written so far (the previous owners' last ones included). */
    private void awaitCursors(KafkaConsumer<byte[], byte[]> consumer) {
        List<TopicPartition> partitions = consumer.partitionsFor(cursors.topic()).stream()
                .map(p -> new TopicPartition(cursors.topic(), p.partition())).toList();
        Map<Integer, Long> ends = new HashMap<>();
        consumer.endOffsets(partitions).forEach((tp, end) -> ends.put(tp.partition(), end));
        try {
            cursors.readToEnd(ends).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.errors.InterruptException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("the cursors topic could not be read to its end", e);
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
