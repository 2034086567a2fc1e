package io.addonlogs.consumer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.kafka.SupervisedLoop;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * The process's one reader of live lines: a thread that owns a {@link KafkaConsumer}, manually assigned the
 * partitions its current subscribers need (an add-on's partition is its token's), starting at their end. Each
 * poll's records are grouped per add-on (by the {@code addon-id} header), prepared once per add-on by the
 * {@link Preparer} (parsed and encoded for every viewer of it alike) and handed to that add-on's subscribers as one
 * shared batch; an add-on with many subscribers gets the lines of a few polls in one batch ({@link FanOutBatcher}).
 * Instances need no coordination: each reads what its viewers need.
 *
 * <p>Subscriptions are applied between polls, so {@link #subscribe} can tell exactly from which offset of each
 * partition the subscriber will receive records: everything before is the history reader's job. A subscription wakes
 * the poll in progress, so a viewer's stream starts without waiting for it to end.
 *
 * <p>A {@link SupervisedLoop} runs the reader: after a retriable error it starts again with a fresh consumer,
 * assigned what its subscribers need and positioned after the last record it read (lines the batcher holds are
 * handed out as before), so they get every line once (later); it is ready again once so positioned.
 */
public final class LiveReader<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveReader.class);
    private static final Duration POLL = Duration.ofMillis(100);
    static final Duration PARTITION_CHECK = Duration.ofSeconds(10);
    static final int LIVE_FETCH_WAIT_MS = 10;

    /**
     * Receives the live lines of one add-on, as prepared. Called from the reader thread: hop to your context, and run
     * {@code handled} once done with the batch (the reader stops fetching while too much is waiting).
     */
    public interface Subscriber<T> {
        String addonId();

        void onLive(T batch, Runnable handled);
    }

    /**
     * Turns one add-on's records of a poll into what its subscribers get, once for all of them. Called on the reader
     * thread only, as are {@link #joined} and {@link #left}, so it may keep per-add-on state without locks.
     */
    public interface Preparer<T> {
        T prepare(String addonId, List<ConsumerRecord<byte[], byte[]>> records);

        /** What a prepared batch weighs, for the pending-bytes bound. */
        long bytes(T batch);

        /** A subscriber of the add-on starts live at these positions. */
        default void joined(String addonId, Map<Integer, Long> positions) {
        }

        /** The add-on's last subscriber left. */
        default void left(String addonId) {
        }
    }

    /**
     * Record bytes handed to subscribers and not yet handled (counted once per subscriber) above which the reader
     * waits instead of fetching: when the event loops fall behind, lines wait in Kafka, not in this heap.
     */
    static final long MAX_PENDING_BYTES = 32L << 20;
    private final long maxPendingBytes;

    private final String topic;
    /** The current attempt's consumer; like everything below, touched by the loop's thread only. */
    private KafkaConsumer<byte[], byte[]> consumer;
    /** The consumer while it is in {@code poll()}, else null: what a subscription wakes up. */
    private volatile KafkaConsumer<byte[], byte[]> polling;
    /** Where each assigned partition resumes: after the last record handed out, or where it joined. */
    private final Map<TopicPartition, Long> resume = new HashMap<>();
    private final LinkedBlockingQueue<Runnable> commands = new LinkedBlockingQueue<>();
    private final Preparer<T> preparer;
    private final FanOutBatcher batcher;
    private final Map<String, Set<Subscriber<T>>> byAddon = new HashMap<>();
    private final Map<Subscriber<T>, Set<Integer>> partitionsOf = new HashMap<>();
    private final SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop;
    private KafkaClientMetrics clientMetrics;
    private volatile int partitionCount;
    /** The count before the last change, and when it changed: producers may still use it for a while. */
    private volatile int previousPartitionCount;
    private volatile long changedAtNanos;
    private final AtomicLong pendingBytes = new AtomicLong();
    /** The poll thread's. */
    private final AddonIds addonIds = new AddonIds();

    /** {@code batcher}: holds the lines of add-ons with many viewers a little, for fewer, larger writes. */
    public LiveReader(Map<String, String> kafka, String topic, MeterRegistry registry, Preparer<T> preparer,
                      FanOutBatcher batcher) {
        this(kafka, topic, registry, preparer, batcher, MAX_PENDING_BYTES);
    }

    LiveReader(Map<String, String> kafka, String topic, MeterRegistry registry, Preparer<T> preparer,
               FanOutBatcher batcher, long maxPendingBytes) {
        this.topic = topic;
        this.preparer = preparer;
        this.batcher = batcher;
        this.maxPendingBytes = maxPendingBytes;
        Map<String, Object> config = new HashMap<>(LogRecords.consumerConfig(kafka, "log-consumer-live"));
        // partitions added to the logs topic are noticed within this long (see partitionCount())
        config.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, (int) PARTITION_CHECK.toMillis());
        // a broker answers one request of a connection at a time: a new subscription's end-offset look-up waited
        // behind the fetch parked there (up to 50 ms, 30 ms a resume on average). A fetch returns as soon as lines
        // come whatever this wait, so shorter costs only more empty fetches while the partitions are quiet.
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, LIVE_FETCH_WAIT_MS);
        Gauge.builder("tail.live.pending", pendingBytes, AtomicLong::get).baseUnit("bytes")
                .description("Live record bytes handed to viewers and not yet written (per viewer)").register(registry);
        Gauge.builder("tail.live.held", batcher, FanOutBatcher::heldBytes).baseUnit("bytes")
                .description("Live record bytes held a few milliseconds for add-ons with many viewers "
                        + "(SSE_FANOUT_HOLD_MS)").register(registry);
        this.loop = new SupervisedLoop<>("live-reader", () -> newConsumer(config, registry), this::run,
                SupervisedLoop.Backoff.DEFAULT).start();
    }

    /** A fresh consumer for an attempt, its client metrics in place of the previous one's. */
    private KafkaConsumer<byte[], byte[]> newConsumer(Map<String, Object> config, MeterRegistry registry) {
        KafkaConsumer<byte[], byte[]> fresh = new KafkaConsumer<>(config);
        if (clientMetrics != null) {
            clientMetrics.close();
        }
        clientMetrics = new KafkaClientMetrics(fresh);
        clientMetrics.bindTo(registry);
        return fresh;
    }

    /**
     * Partitions of the logs topic, once known (0 before): readiness. Followed while running (within about
     * {@link #PARTITION_CHECK}): after partitions are added, tokens map to other partitions, and streams opened
     * with the old count must be reopened (their cursors resume them exactly).
     */
    public int partitionCount() {
        return partitionCount;
    }

    /**
     * The partition count before the last change if it changed less than {@code grace} ago, else 0: until every
     * producer has refreshed its metadata it may still write a key to its partition under the old count.
     */
    public int previousPartitionCount(Duration grace) {
        int previous = previousPartitionCount;
        return previous > 0 && System.nanoTime() - changedAtNanos < grace.toNanos() ? previous : 0;
    }

    /**
     * Starts live delivery of {@code partitions} to the subscriber; completes with, for each partition, the offset
     * of the first record it will get live.
     */
    public CompletableFuture<Map<Integer, Long>> subscribe(Subscriber<T> subscriber, Set<Integer> partitions) {
        CompletableFuture<Map<Integer, Long>> started = new CompletableFuture<>();
        commands.add(() -> {
            try {
                started.complete(add(subscriber, partitions));
            } catch (WakeupException e) {
                throw e; // meant for a poll: the command runs again (see runCommand)
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        KafkaConsumer<byte[], byte[]> inPoll = polling;
        if (inPoll != null) {
            inPoll.wakeup();
        }
        return started;
    }

    public void unsubscribe(Subscriber<T> subscriber) {
        commands.add(() -> remove(subscriber));
    }

    private Map<Integer, Long> add(Subscriber<T> subscriber, Set<Integer> partitions) {
        Set<TopicPartition> assigned = new HashSet<>(consumer.assignment());
        List<TopicPartition> fresh = new ArrayList<>();
        for (int p : partitions) {
            TopicPartition tp = new TopicPartition(topic, p);
            if (assigned.add(tp)) {
                fresh.add(tp);
            }
        }
        if (!fresh.isEmpty()) {
            consumer.assign(assigned);
            consumer.seekToEnd(fresh);
        }
        Map<Integer, Long> positions = new HashMap<>();
        for (int p : partitions) {
            TopicPartition tp = new TopicPartition(topic, p);
            long position = consumer.position(tp, Duration.ofSeconds(30));
            positions.put(p, position);
            resume.putIfAbsent(tp, position);
        }
        // lines held for the add-on's viewers go to them first: the new one gets exactly what follows its positions
        batcher.sendNow(subscriber.addonId(), this::send);
        byAddon.computeIfAbsent(subscriber.addonId(), a -> new HashSet<>()).add(subscriber);
        partitionsOf.put(subscriber, Set.copyOf(partitions));
        preparer.joined(subscriber.addonId(), positions);
        return positions;
    }

    private void remove(Subscriber<T> subscriber) {
        Set<Integer> partitions = partitionsOf.remove(subscriber);
        Set<Subscriber<T>> peers = byAddon.get(subscriber.addonId());
        if (peers != null) {
            peers.remove(subscriber);
            if (peers.isEmpty()) {
                byAddon.remove(subscriber.addonId());
                batcher.drop(subscriber.addonId());
                preparer.left(subscriber.addonId());
            }
        }
        if (partitions == null) {
            return;
        }
        Set<Integer> stillNeeded = new HashSet<>();
        partitionsOf.values().forEach(stillNeeded::addAll);
        Set<TopicPartition> keep = new HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (stillNeeded.contains(tp.partition())) {
                keep.add(tp);
            }
        }
        if (keep.size() != consumer.assignment().size()) {
            consumer.assign(keep);
            resume.keySet().retainAll(keep);
        }
    }

    private void run(KafkaConsumer<byte[], byte[]> attemptConsumer, SupervisedLoop.Attempt attempt)
            throws InterruptedException {
        consumer = attemptConsumer;
        int found = attempt.awaitPartitions(topic).size();
        if (partitionCount == 0) {
            partitionCount = found;
        } else {
            partitionCountIs(found); // a restart: partitions may have been added meanwhile
        }
        if (!resume.isEmpty()) { // a restart: carry on where the failed attempt's subscribers were
            consumer.assign(resume.keySet());
            resume.forEach(consumer::seek);
        }
        attempt.caughtUp();
        long nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
        while (attempt.running()) {
            if (System.nanoTime() - nextCheck > 0) {
                nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
                followPartitionCount();
            }
            Runnable command;
            while ((command = commands.poll()) != null) {
                runCommand(command, attempt);
            }
            batcher.sendDue(System.nanoTime(), this::send);
            if (consumer.assignment().isEmpty()) {
                Runnable next = commands.poll(200, TimeUnit.MILLISECONDS);
                if (next != null) {
                    runCommand(next, attempt);
                }
                continue;
            }
            if (pendingBytes.get() > maxPendingBytes) {
                Thread.sleep(5); // subscribers are behind; Kafka keeps the lines meanwhile
                continue;
            }
            ConsumerRecords<byte[], byte[]> records;
            polling = consumer;
            try {
                records = consumer.poll(Duration.ofMillis(batcher.waitMillis(POLL.toMillis(), System.nanoTime())));
            } catch (WakeupException e) {
                stillRunning(e, attempt); // a subscription came: apply it now
                continue;
            } finally {
                polling = null;
            }
            dispatch(records);
        }
    }

    /**
     * Runs a command, again if a wakeup meant for the poll it came just after (a subscription racing the poll's
     * return) made one of its calls throw: commands can be run again from any point.
     */
    private void runCommand(Runnable command, SupervisedLoop.Attempt attempt) {
        while (true) {
            try {
                command.run();
                return;
            } catch (WakeupException e) {
                stillRunning(e, attempt);
            }
        }
    }

    /** A wakeup while running came from a subscription; while closing, from close(): rethrown. */
    private static void stillRunning(WakeupException e, SupervisedLoop.Attempt attempt) {
        if (!attempt.running()) {
            throw e;
        }
    }

    /** The topic's partition count from the consumer's metadata (refreshed every {@link #PARTITION_CHECK}). */
    private void followPartitionCount() {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        } catch (WakeupException e) {
            return; // meant for the last poll: checked again next time
        }
        if (infos != null && !infos.isEmpty()) {
            partitionCountIs(infos.size());
        }
    }

    private void partitionCountIs(int count) {
        if (count != partitionCount) {
            LOG.info("Topic {} now has {} partitions (had {})", topic, count, partitionCount);
            previousPartitionCount = partitionCount;
            changedAtNanos = System.nanoTime();
            partitionCount = count;
        }
    }

    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> perAddon = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> of = records.records(partition);
            resume.put(partition, of.get(of.size() - 1).offset() + 1);
            for (ConsumerRecord<byte[], byte[]> record : of) {
                String addonId = addonIds.of(record);
                if (addonId != null && byAddon.containsKey(addonId)) {
                    perAddon.computeIfAbsent(addonId, a -> new ArrayList<>()).add(record);
                }
            }
        }
        long now = System.nanoTime();
        perAddon.forEach((addonId, lines) -> batcher.offer(addonId, lines, byAddon.get(addonId).size(), now,
                this::send));
    }

    /** Prepares an add-on's lines once and hands the batch to each of its current subscribers. */
    private void send(String addonId, List<ConsumerRecord<byte[], byte[]>> lines) {
        Set<Subscriber<T>> subscribers = byAddon.get(addonId);
        if (subscribers == null) {
            return;
        }
        T batch = preparer.prepare(addonId, lines);
        long size = preparer.bytes(batch);
        for (Subscriber<T> subscriber : subscribers) {
            pendingBytes.addAndGet(size);
            subscriber.onLive(batch, () -> pendingBytes.addAndGet(-size));
        }
    }

    /** Live record bytes the batcher holds now (add-ons with many viewers). */
    long heldBytes() {
        return batcher.heldBytes();
    }

    /** The reader's loop, for the management server: ready once positioned, not live once failed. */
    public SupervisedLoop<?> loop() {
        return loop;
    }

    @Override
    public void close() {
        loop.close();
    }
}
