package io.addonlogs.consumer.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.kafka.ConsumerThread;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads past lines for viewers, on demand: a small pool of threads, each owning one {@link KafkaConsumer}, serves
 * bounded {@link #read steps} of replays ({@link ReplayStep}) and {@code since} look-ups, taking them round-robin by
 * viewer, one viewer holding all threads but one at most ({@link FairQueue}). A viewer asks for its next step only
 * once it has written the previous one, so a viewer that does not read holds no thread and no consumer, and every step
 * is bounded in time and bytes: a viewer's request waits for at most one step of each other viewer with work queued,
 * however many streams those have open, never for a stalled replay.
 *
 * <p>Reading follows the history index ({@link HistoryIndexer}): a replay reads only the ranges where the add-on has
 * records, plus whatever the index does not cover yet, so its cost follows the add-on's own traffic, not its
 * partition neighbours'. A quiet add-on's lines kept in the index itself ({@link BlockBuilder}) are taken from there.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    /** Bytes one fetch of a step brings at most (compressed: it can hold many times that in lines). */
    static final int FETCH_BYTES = 256 << 10;
    /**
     * Line bytes one step hands over at most (plus one record): what a reading thread holds, and what one step adds to
     * a viewer's write queue. Small, because another viewer's request waits for the step in progress: a resume's p99
     * beside 100 replaying tails was 131-159 ms with 256 KiB steps, 223-287 ms with 1 MiB; a drain's catch-up showed no
     * difference (docs/BENCHMARKS.md).
     */
    public static final int STEP_BYTES = 256 << 10;

    /** One bounded piece of a replay: the add-on's records read (as the caller prepared them), and whether that is the end. */
    public record Step<T>(T prepared, boolean done) {
    }

    private final String topic;
    private final FairQueue<Consumer<HistoryConsumers>> requests;
    private final List<ConsumerThread> threads = new ArrayList<>();
    private final AtomicInteger replays = new AtomicInteger();
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong keptLinesTaken = new AtomicLong();
    private final int maxReplays;

    /** {@code kafka}: the service's shared Kafka client settings (bootstrap servers, security). */
    public HistoryReader(Map<String, String> kafka, String topic, String indexTopic, int threadCount, int maxReplays,
                         MeterRegistry registry) {
        this.topic = topic;
        this.maxReplays = maxReplays;
        // one viewer's requests take all threads but one: another viewer's request always finds a thread free
        this.requests = new FairQueue<>(Math.max(1, threadCount - 1));
        FunctionCounter.builder("tail.history.read.records", recordsRead, AtomicLong::get)
                .description("Log records fetched by history reads, whatever their add-on (the index keeps this "
                        + "close to the lines replayed)").register(registry);
        FunctionCounter.builder("tail.history.kept.lines", keptLinesTaken, AtomicLong::get)
                .description("Lines history reads took from the index, where it kept a quiet add-on's lines, "
                        + "instead of fetching them from the log").register(registry);
        for (int i = 0; i < threadCount; i++) {
            HistoryConsumers readers = HistoryConsumers.create(kafka, topic, indexTopic, i, recordsRead);
            threads.add(ConsumerThread.start("history-reader-" + i, readers.logs(), thread -> {
                try {
                    serve(thread, readers);
                } finally {
                    readers.closeOthers();
                }
            }));
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

    /** Log records fetched by history reads so far, whatever their add-on. */
    public long recordsRead() {
        return recordsRead.get();
    }

    /** Lines history reads took from the index instead of the log so far. */
    public long keptLinesTaken() {
        return keptLinesTaken.get();
    }

    /** For each partition, the first offset whose record timestamp is at or after {@code sinceMillis}. */
    public CompletableFuture<Map<Integer, Long>> offsetsAt(String viewer, Set<Integer> partitions, long sinceMillis,
                                                           Map<Integer, Long> fallback) {
        return submit(viewer, readers -> {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(new TopicPartition(topic, p), sinceMillis));
            Map<Integer, Long> out = new HashMap<>();
            readers.logs().offsetsForTimes(query, Duration.ofSeconds(30)).forEach((tp, found) ->
                    out.put(tp.partition(), found == null ? fallback.get(tp.partition()) : found.offset()));
            return out;
        });
    }

    /**
     * For each partition of {@code to}, where a replay up to {@code to} must start to give the add-on's last {@code n}
     * lines that {@code wanted} accepts ({@link LastLines}). {@code wanted} runs on a reading thread, in the viewer's
     * turn.
     */
    public CompletableFuture<Map<Integer, Long>> lastLines(String viewer, String addonId, Map<Integer, Long> to, int n,
                                                           Predicate<ConsumerRecord<byte[], byte[]>> wanted) {
        return submit(viewer, readers -> {
            Map<TopicPartition, Long> begin = readers.logs().beginningOffsets(
                    to.keySet().stream().map(p -> new TopicPartition(topic, p)).toList(), Duration.ofSeconds(30));
            Map<Integer, Long> logStart = new HashMap<>();
            begin.forEach((tp, offset) -> logStart.put(tp.partition(), offset));
            return new LastLines(readers.scan().fresh(), readers.index(), addonId, n, wanted, topic)
                    .find(to, logStart);
        });
    }

    /** A replay of the add-on's records in {@code [from, to)} of each partition, to be read step by step. */
    public Replay replay(String addonId, Map<Integer, Long> from, Map<Integer, Long> to) {
        return new Replay(addonId, from, to);
    }

    /**
     * The replay's next step: polls until it found some of the add-on's records, reached every {@code to}, or spent
     * its time; at most one fetch's worth of records. {@code prepare} turns them into what the caller writes, on the
     * reading thread and in the viewer's turn (encoding is most of a replay's work: done here, one viewer's replay
     * cannot hold an event loop that others share).
     */
    public <T> CompletableFuture<Step<T>> read(String viewer, Replay replay,
                                               Function<List<ConsumerRecord<byte[], byte[]>>, T> prepare) {
        return submit(viewer, readers -> {
            List<ConsumerRecord<byte[], byte[]>> found = new ReplayStep(topic, readers, replay, recordsRead,
                    keptLinesTaken).read();
            return new Step<>(prepare.apply(found), replay.done());
        });
    }

    /** Queues work for the pool, in {@code viewer}'s turn. */
    private <T> CompletableFuture<T> submit(String viewer, Function<HistoryConsumers, T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        requests.add(viewer, readers -> {
            try {
                result.complete(work.apply(readers));
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

    private void serve(ConsumerThread thread, HistoryConsumers readers) {
        try {
            readers.connect(topic);
            while (thread.running()) {
                FairQueue.Taken<Consumer<HistoryConsumers>> request = requests.take(200, TimeUnit.MILLISECONDS);
                if (request != null) {
                    try {
                        request.item().accept(readers);
                    } finally {
                        requests.done(request.key());
                    }
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
