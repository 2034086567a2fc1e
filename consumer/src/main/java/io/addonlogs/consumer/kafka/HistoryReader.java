package io.addonlogs.consumer.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.kafka.ConsumerThread;

/**
 * Reads past lines for viewers, on demand: a small pool of threads, each owning one {@link KafkaConsumer}, serves
 * bounded {@link #read steps} of replays and {@code since} look-ups, taking them round-robin by viewer. A viewer asks
 * for its next step only once it has written the previous one, so a viewer that does not read holds no thread and
 * no consumer, and every step is bounded in time and bytes: a viewer's request waits for at most one step of each
 * other viewer with work queued, however many streams those have open, never for a stalled replay.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    /** A step stops polling once it found lines or after this long (neighbours' lines only: it returns progress). */
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Bytes one fetch of a step brings at most. */
    private static final int STEP_BYTES = 256 << 10;

    /**
     * One bounded piece of a replay: the add-on's records read (as the caller prepared them), where to go on from,
     * and whether that is the end.
     */
    public record Step<T>(T prepared, Map<Integer, Long> next, boolean done) {
    }

    private final String topic;
    private final FairQueue<Consumer<KafkaConsumer<byte[], byte[]>>> requests = new FairQueue<>();
    private final List<ConsumerThread> threads = new ArrayList<>();
    private final AtomicInteger replays = new AtomicInteger();
    private final int maxReplays;

    public HistoryReader(Map<String, String> kafka, String topic, int threadCount, int maxReplays) {
        this.topic = topic;
        this.maxReplays = maxReplays;
        for (int i = 0; i < threadCount; i++) {
            Map<String, Object> config = new HashMap<>(LogRecords.consumerConfig(kafka,
                    "log-consumer-history-" + i));
            // a position before the log start (lines past retention) reads from the start; cursors beyond the
            // end are refused before any read
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            // one step holds at most this much: history memory is bounded by threads, not by viewers
            // (small steps also bound what a viewer that stopped reading makes this instance read and encode)
            config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, STEP_BYTES);
            config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, STEP_BYTES);
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config);
            threads.add(ConsumerThread.start("history-reader-" + i, consumer, thread -> serve(thread, consumer)));
        }
    }

    /** Takes a replay slot; false when {@code maxReplays} viewers are replaying already (the caller answers 503). */
    public boolean tryStartReplay() {
        if (replays.incrementAndGet() > maxReplays) {
            replays.decrementAndGet();
            return false;
        }
        return true;
    }

    public void replayEnded() {
        replays.decrementAndGet();
    }

    public int replays() {
        return replays.get();
    }

    /** For each partition, the first offset whose record timestamp is at or after {@code sinceMillis}. */
    public CompletableFuture<Map<Integer, Long>> offsetsAt(String viewer, Set<Integer> partitions, long sinceMillis,
                                                           Map<Integer, Long> fallback) {
        return submit(viewer, consumer -> {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(new TopicPartition(topic, p), sinceMillis));
            Map<Integer, Long> out = new HashMap<>();
            consumer.offsetsForTimes(query, Duration.ofSeconds(30)).forEach((tp, found) ->
                    out.put(tp.partition(), found == null ? fallback.get(tp.partition()) : found.offset()));
            return out;
        });
    }

    /**
     * One step of reading {@code [from, to)} of each partition for the add-on's records: polls until it found some,
     * reached every {@code to}, or spent its time; at most one fetch's worth of records. {@code prepare} turns them
     * into what the caller writes, on the reading thread and in the viewer's turn (encoding is most of a replay's
     * work: done here, one viewer's replay cannot hold an event loop that others share).
     */
    public <T> CompletableFuture<Step<T>> read(String viewer, String addonId, Map<Integer, Long> from,
                                               Map<Integer, Long> to,
                                               Function<List<ConsumerRecord<byte[], byte[]>>, T> prepare) {
        return submit(viewer, consumer -> step(consumer, addonId, from, to, prepare));
    }

    private <T> Step<T> step(KafkaConsumer<byte[], byte[]> consumer, String addonId, Map<Integer, Long> from,
                             Map<Integer, Long> to, Function<List<ConsumerRecord<byte[], byte[]>>, T> prepare) {
        Map<Integer, Long> next = new HashMap<>(from);
        Map<TopicPartition, Long> open = new HashMap<>();
        from.forEach((p, start) -> {
            Long stop = to.get(p);
            if (stop != null && start < stop) {
                open.put(new TopicPartition(topic, p), stop);
            }
        });
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        if (!open.isEmpty()) {
            consumer.assign(open.keySet());
            open.keySet().forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
            long deadline = System.nanoTime() + STEP_NANOS;
            while (!open.isEmpty() && found.isEmpty() && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    Long stop = open.get(new TopicPartition(record.topic(), record.partition()));
                    if (stop != null && record.offset() < stop && addonId.equals(LogRecords.addonId(record))) {
                        found.add(record);
                    }
                }
                for (TopicPartition tp : List.copyOf(open.keySet())) {
                    long position = Math.min(consumer.position(tp), open.get(tp));
                    next.put(tp.partition(), position);
                    if (position >= open.get(tp)) {
                        open.remove(tp);
                    }
                }
            }
            consumer.assign(List.of());
        }
        return new Step<>(prepare.apply(found), next, open.isEmpty());
    }

    /** Queues work for the pool, in {@code viewer}'s turn. */
    private <T> CompletableFuture<T> submit(String viewer, Function<KafkaConsumer<byte[], byte[]>, T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        requests.add(viewer, consumer -> {
            try {
                result.complete(work.apply(consumer));
            } catch (WakeupException e) {
                result.completeExceptionally(e);
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("History read failed: {}", e.toString());
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private void serve(ConsumerThread thread, KafkaConsumer<byte[], byte[]> consumer) {
        try {
            while (thread.running()) {
                Consumer<KafkaConsumer<byte[], byte[]>> request = requests.take(200, TimeUnit.MILLISECONDS);
                if (request != null) {
                    request.accept(consumer);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (WakeupException e) {
            if (thread.running()) {
                LOG.error("History reader woken up unexpectedly", e);
            }
        }
    }

    /** Stops the pool; called after every stream has ended, so requests still queued have no one waiting. */
    @Override
    public void close() {
        threads.forEach(ConsumerThread::close);
        requests.clear();
    }
}
