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

import io.addonlogs.consumer.kafka.LogRecords;
import io.addonlogs.service.kafka.ConsumerThread;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads past lines for viewers, on demand: a small pool of threads, each owning one {@link KafkaConsumer}, serves
 * bounded {@link #read steps} of replays and {@code since} look-ups, taking them round-robin by viewer. A viewer asks
 * for its next step only once it has written the previous one, so a viewer that does not read holds no thread and
 * no consumer, and every step is bounded in time and bytes: a viewer's request waits for at most one step of each
 * other viewer with work queued, however many streams those have open, never for a stalled replay.
 *
 * <p>Reading follows the history index ({@link HistoryIndexer}): a replay reads only the ranges where the add-on has
 * records, plus whatever the index does not cover yet, so its cost follows the add-on's own traffic, not its
 * partition neighbours'. A quiet add-on's lines kept in the index itself ({@link BlockBuilder}) are taken from there.
 */
public final class HistoryReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryReader.class);
    /** A step stops polling after this long at most (neighbours' lines only: it returns progress). */
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * Once a step found lines it goes on this much longer for more (the lines of a quiet add-on are one seek each: one
     * per step would cost a round trip through the queue and the event loop per line), within {@link #STEP_BYTES}.
     */
    private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * Ranges this short are read whole without asking the index: one index block's worth of records costs less to
     * read than the index's round trips (the record at the start, the index's offsets, its blocks) cost to skip it.
     * A resume from a recent cursor is one.
     */
    private static final long SCAN_WITHOUT_INDEX = 4096;
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
            List<ConsumerRecord<byte[], byte[]>> found = step(readers, replay);
            return new Step<>(prepare.apply(found), replay.done());
        });
    }

    private List<ConsumerRecord<byte[], byte[]>> step(HistoryConsumers readers, Replay replay) {
        Gathered gathered = new Gathered(replay.addonId, System.nanoTime() + STEP_NANOS);
        if (!replay.planned) {
            plan(readers, replay);
        }
        KafkaConsumer<byte[], byte[]> consumer = null;
        Map<TopicPartition, Long> positions = new HashMap<>(); // where the consumer is, once known
        while (!replay.done() && gathered.wantsMore()) {
            Map<TopicPartition, RangePlan> reading = new HashMap<>();
            long longest = 0;
            for (RangePlan plan : replay.plans.values()) {
                while (plan.needsIndex() && gathered.inTime()) {
                    readIndex(readers.index(), plan);
                }
                takeKept(plan, gathered);
                if (plan.readFrom() >= 0 && plan.keptAhead() == null) {
                    reading.put(new TopicPartition(topic, plan.partition()), plan);
                    longest = Math.max(longest, plan.readLength());
                }
            }
            if (reading.isEmpty()) {
                continue;
            }
            List<long[]> scattered = reading.size() == 1 ? reading.values().iterator().next()
                    .shortRangesAhead(readers.scan().parallelism(), LogScan.NARROW_RANGE) : List.of();
            if (scattered.size() > 1) { // a quiet add-on's lines: their fetches side by side
                if (consumer != null) {
                    consumer.assign(List.of());
                    consumer = null;
                    positions.clear();
                }
                RangePlan plan = reading.values().iterator().next();
                long readTo = scattered.get(scattered.size() - 1)[1];
                for (ConsumerRecord<byte[], byte[]> record : readers.scan().readRanges(plan.partition(), scattered)) {
                    if (!gathered.offer(record, plan)) {
                        readTo = record.offset(); // the step is full: read again by the next step
                        break;
                    }
                }
                plan.advance(readTo);
                continue;
            }
            KafkaConsumer<byte[], byte[]> chosen = readers.scan().consumerFor(longest);
            if (chosen != consumer) {
                if (consumer != null) {
                    consumer.assign(List.of());
                }
                consumer = chosen;
                positions.clear();
            }
            if (!reading.keySet().equals(consumer.assignment())) {
                consumer.assign(reading.keySet());
                positions.keySet().retainAll(reading.keySet());
            }
            // seek only where the plan jumps: a seek drops the fetch in flight
            for (Map.Entry<TopicPartition, RangePlan> entry : reading.entrySet()) {
                long from = entry.getValue().readFrom();
                if (!Long.valueOf(from).equals(positions.get(entry.getKey()))) {
                    consumer.seek(entry.getKey(), from);
                }
            }
            Map<TopicPartition, Long> notTaken = new HashMap<>(); // once the step is full: where each partition resumes
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                recordsRead.incrementAndGet();
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                if (!notTaken.containsKey(tp) && !gathered.offer(record, reading.get(tp))) {
                    notTaken.put(tp, record.offset());
                }
            }
            for (Map.Entry<TopicPartition, RangePlan> entry : reading.entrySet()) {
                long position = consumer.position(entry.getKey());
                positions.put(entry.getKey(), position);
                entry.getValue().advance(notTaken.getOrDefault(entry.getKey(), position));
            }
        }
        if (consumer != null) {
            consumer.assign(List.of());
        }
        return gathered.records;
    }

    /** Takes the lines the index kept at the head of the plan, as long as the step has room for them. */
    private void takeKept(RangePlan plan, Gathered gathered) {
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
     * What a step found so far: the add-on's records its plans want, up to {@link #STEP_BYTES}, gathering for
     * {@link #GATHER_NANOS} more once it found some, until its deadline.
     */
    private static final class Gathered {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        private final String addonId;
        private long bytes;
        private long deadline;

        Gathered(String addonId, long deadline) {
            this.addonId = addonId;
            this.deadline = deadline;
        }

        boolean inTime() {
            return System.nanoTime() - deadline < 0;
        }

        boolean wantsMore() {
            return hasRoom() && inTime();
        }

        boolean hasRoom() {
            return bytes < STEP_BYTES;
        }

        /**
         * Takes the record if the plan wants it and it is the add-on's; false, taking nothing, once the step holds
         * {@link #STEP_BYTES} (a fetch is compressed: it can bring many times that in lines).
         */
        boolean offer(ConsumerRecord<byte[], byte[]> record, RangePlan plan) {
            if (!hasRoom()) {
                return false;
            }
            if (plan != null && plan.wants(record.offset()) && addonId.equals(LogRecords.addonId(record))) {
                if (records.isEmpty()) {
                    deadline = Math.min(deadline, System.nanoTime() + GATHER_NANOS);
                }
                records.add(record);
                bytes += Math.max(0, record.serializedValueSize());
            }
            return true;
        }
    }

    /**
     * Makes each partition's plan: its ranges are found from the index blocks that can cover its first record, the
     * index being read from the first block whose running maximum timestamp reaches that record's.
     */
    private void plan(HistoryConsumers readers, Replay replay) {
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
