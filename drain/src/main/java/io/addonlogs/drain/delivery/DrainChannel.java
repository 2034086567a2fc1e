package io.addonlogs.drain.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainPartitionKey;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.consumer.history.Replay;
import io.addonlogs.drain.format.DrainLine;

/**
 * One drain on one partition of the logs topic, on the worker's event loop. Its {@code cursor} is the next offset
 * of the partition to deliver from: every line of the add-on before it was acknowledged by the recipient, and it is
 * written to the cursors topic after each acknowledgement. Lines are delivered in offset order, one delivery at a
 * time, so in order per add-on (an add-on's lines are in its partitions in order). A delivery ends once its cursor is
 * stored in Kafka, not when the recipient acknowledged it: the next batch goes only then, so at most the batch in
 * flight is past the stored cursor, and that is all a worker crash can make the next owner send twice.
 *
 * <pre>
 *   STARTING --cursor known--> CATCHING_UP --cursor reaches the live read--> LIVE
 *   LIVE --more than DRAIN_PENDING_LINES held--> CATCHING_UP      (lines wait in Kafka, not here)
 *   LIVE | CATCHING_UP --delivery fails--> WAITING --back-off--> CATCHING_UP (from the cursor)
 *   any --disabled--> DISABLED --enabled--> CATCHING_UP;   any --close()--> CLOSED
 * </pre>
 *
 * LIVE takes the shared live read's lines for its add-on and holds at most {@code DRAIN_PENDING_LINES} of them
 * while a delivery is in flight. CATCHING_UP reads {@code [cursor, live end)} of its add-on through the consumer's
 * {@link HistoryReader} (the history index, bounded steps), delivering step by step, then again up to the new live
 * end, until none is left: the seam is exact because both the live batches and this check run on the event loop.
 */
final class DrainChannel {

    private static final Logger LOG = LoggerFactory.getLogger(DrainChannel.class);

    enum State { STARTING, LIVE, CATCHING_UP, WAITING, DISABLED, CLOSED }

    /**
     * The delivery in hand, whatever the state: none; a batch sent to the recipient; its cursor being stored (the
     * delivery ends only then); or a cursor Kafka refused, stored again before anything more is delivered.
     */
    private enum Delivery { NONE, SENDING, STORING_CURSOR, CURSOR_REFUSED }

    /** Live lines of one poll for this add-on, up to offset {@code end} (exclusive); {@code taken} already sent. */
    private static final class Segment {
        final List<DrainLine> lines;
        final long end;
        int taken;

        Segment(List<DrainLine> lines, long end) {
            this.lines = lines;
            this.end = end;
        }
    }

    private final ChannelEnv env;
    private DrainDefinition drain;
    private final DrainPartitionKey key;
    private final Recipient recipient;
    private final DrainMetrics.Counts counts;
    private final long liveStart;
    /** Lines per delivery at most: {@code DRAIN_BATCH_LINES}, or less if the recipient's protocol limits it. */
    private final int batchLines;
    private State state = State.STARTING;
    private long cursor = -1;
    private long liveEnd;
    private final ArrayDeque<Segment> pending = new ArrayDeque<>();
    private int pendingLines;
    private Delivery delivery = Delivery.NONE;
    private long inFlightEnd;
    private boolean enabled;
    private Replay replay;
    private long replayTarget;
    private boolean stepDone;
    private List<DrainLine> stepRest = List.of();
    private long stepEnd;
    private long lastCursorWritten = -1;
    // what the API shows
    private int attempt;
    private Instant lastAttemptAt;
    private Instant nextAttemptAt;
    private Instant retryingSince;
    private String lastError;
    private long backlog;
    private long delivered;
    private long deliveredBytes;
    private long failed;
    private long reportedDelivered;
    private long reportedBytes;
    private long reportedAtNanos = System.nanoTime();
    private long timer = -1;

    DrainChannel(ChannelEnv env, DrainDefinition drain, int partition, Recipient recipient, long liveStart,
                 long liveEnd) {
        this.env = env;
        this.drain = drain;
        this.key = new DrainPartitionKey(drain.id(), partition);
        this.recipient = recipient;
        this.counts = env.metrics().of(drain.id(), drain.recipient().type().name());
        this.liveStart = liveStart;
        this.batchLines = Math.min(env.config().batchLines(), recipient.maxBatchLines());
        this.liveEnd = liveEnd;
        this.enabled = drain.enabled();
    }

    DrainDefinition drain() {
        return drain;
    }

    State state() {
        return state;
    }

    long cursor() {
        return cursor;
    }

    /** Finds the cursor (stored, else the first line at or after the drain's creation) and starts catching up. */
    void start(Long knownCursor) {
        if (knownCursor != null) {
            begin(knownCursor);
            return;
        }
        Long stored = env.cursors().get(key);
        if (stored != null) {
            begin(stored);
            return;
        }
        env.history().offsetsAt(viewer(), Set.of(key.partition()), drain.createdAt().toEpochMilli(),
                Map.of(key.partition(), liveEnd)).whenComplete((found, error) -> env.context().runOnContext(v -> {
                    if (state != State.STARTING) {
                        return;
                    }
                    if (error != null) {
                        // no cursor yet, so nothing to catch up from: ask again after the back-off
                        attempt++;
                        lastError = "finding where the drain starts: " + error.getMessage();
                        timer = env.context().owner().setTimer(env.config().backoff().before(attempt).toMillis(),
                                id -> {
                                    timer = -1;
                                    if (state == State.STARTING) {
                                        start(null);
                                    }
                                });
                        return;
                    }
                    begin(Math.min(found.get(key.partition()), liveEnd));
                }));
    }

    private void begin(long from) {
        cursor = from;
        if (state == State.STARTING) {
            if (enabled) {
                catchUp();
            } else {
                state = State.DISABLED;
            }
        }
    }

    private String viewer() {
        return "drain:" + drain.id();
    }

    /**
     * One poll's share of the live read: offsets {@code [from, to)}, with this add-on's lines among them, or null if
     * the live read did not prepare them (it read them before this drain was enabled or created).
     */
    void live(long from, long to, List<DrainLine> lines) {
        if (to <= liveEnd || state == State.CLOSED) {
            return;
        }
        liveEnd = to;
        addBacklog(lines == null ? 0 : lines.size());
        if (state != State.LIVE) {
            return; // they wait in Kafka: a catch-up reads them from the cursor
        }
        long expected = pending.isEmpty() ? (inFlight() ? inFlightEnd : cursor) : pending.peekLast().end;
        if (from != expected || lines == null) {
            fallBehind();
            return;
        }
        pending.add(new Segment(lines, to));
        pendingLines += lines.size();
        if (pendingLines > env.config().pendingLines()) {
            fallBehind();
        } else {
            pump();
        }
    }

    /** Too much held, or a gap: drop what is held and read it back from Kafka once the delivery in flight ends. */
    private void fallBehind() {
        pending.clear();
        pendingLines = 0;
        state = State.CATCHING_UP;
        if (!inFlight()) {
            catchUp();
        }
    }

    /** Sends the next batch of held live lines, or moves the cursor over a stretch without any. */
    private void pump() {
        if (inFlight() || state != State.LIVE) {
            return;
        }
        List<DrainLine> batch = new ArrayList<>();
        long end = cursor;
        while (!pending.isEmpty() && batch.size() < batchLines) {
            Segment segment = pending.peek();
            int take = Math.min(segment.lines.size() - segment.taken, batchLines - batch.size());
            batch.addAll(segment.lines.subList(segment.taken, segment.taken + take));
            segment.taken += take;
            if (segment.taken == segment.lines.size()) {
                end = segment.end;
                pending.poll();
            } else {
                end = segment.lines.get(segment.taken).offset();
                break;
            }
        }
        pendingLines -= batch.size();
        if (batch.isEmpty()) {
            cursor = Math.max(cursor, end);
        } else {
            deliver(batch, end);
        }
    }

    /** A batch or its cursor is on its way: nothing more is sent until it is done. */
    private boolean inFlight() {
        return delivery == Delivery.SENDING || delivery == Delivery.STORING_CURSOR;
    }

    private void deliver(List<DrainLine> batch, long end) {
        delivery = Delivery.SENDING;
        inFlightEnd = end;
        lastAttemptAt = Instant.now();
        String batchId = key + "@" + batch.get(0).offset() + "+" + batch.size();
        recipient.send(batch, batchId).onComplete(done -> {
            if (state == State.CLOSED) {
                return; // another worker owns the partition now; it starts from the last cursor written
            }
            delivery = Delivery.NONE;
            if (done.succeeded()) {
                acknowledged(batch, end);
            } else {
                failed(done.cause().getMessage(), batch.size());
            }
        });
    }

    private void acknowledged(List<DrainLine> batch, long end) {
        cursor = Math.max(cursor, end);
        delivered += batch.size();
        counts.delivered.addAndGet(batch.size());
        long counted = 0;
        for (DrainLine line : batch) {
            deliveredBytes += line.bytes();
            counted += line.offset() >= liveStart ? 1 : 0;
        }
        addBacklog(-Math.min(counted, backlog));
        attempt = 0;
        retryingSince = null;
        nextAttemptAt = null;
        storeCursor(this::next);
    }

    /** After a delivery and its cursor: the next batch of what is held, or of the catch-up. */
    private void next() {
        switch (state) {
            case LIVE -> pump();
            case CATCHING_UP -> nextCatchUpStep();
            case DISABLED, STARTING, WAITING, CLOSED -> { }
        }
    }

    /**
     * Writes the cursor and, still in flight, waits until Kafka has stored it; then {@code then}, on the event loop.
     * If Kafka refuses it, the drain fails as a delivery would (back-off), and stores it before its next delivery.
     */
    private void storeCursor(Runnable then) {
        delivery = Delivery.STORING_CURSOR;
        long at = cursor;
        lastCursorWritten = at;
        env.cursors().write(key, at).whenComplete((stored, error) -> env.context().runOnContext(v -> {
            if (state == State.CLOSED) {
                return; // the next owner starts from the last cursor stored
            }
            if (error != null) {
                delivery = Delivery.CURSOR_REFUSED;
                lastCursorWritten = -1;
                failed("storing the drain's cursor in Kafka: " + error.getMessage(), 0);
            } else {
                delivery = Delivery.NONE; // nothing moved the cursor while it was in flight
                then.run();
            }
        }));
    }

    private void failed(String error, int lines) {
        failed += lines;
        counts.failed.addAndGet(lines);
        attempt++;
        lastError = error == null ? "delivery failed" : error;
        if (retryingSince == null) {
            retryingSince = Instant.now();
        }
        dropHeld();
        if (state == State.DISABLED || state == State.CLOSED) {
            return;
        }
        state = State.WAITING;
        Duration delay = env.config().backoff().before(attempt);
        nextAttemptAt = Instant.now().plus(delay);
        LOG.info("Drain {} failed ({}); attempt {} in {} ms", key, lastError, attempt + 1, delay.toMillis());
        timer = env.context().owner().setTimer(delay.toMillis(), id -> {
            timer = -1;
            if (state == State.WAITING) {
                catchUp();
            }
        });
    }

    /** Reads the add-on's lines from the cursor to the live end through the history reader; LIVE once none is left. */
    private void catchUp() {
        state = State.CATCHING_UP;
        if (inFlight()) {
            return; // the delivery's end continues from here
        }
        if (delivery == Delivery.CURSOR_REFUSED) {
            storeCursor(this::catchUp);
            return;
        }
        if (cursor >= liveEnd) {
            replay = null;
            state = State.LIVE;
            pump();
            return;
        }
        replayTarget = liveEnd;
        replay = env.history().replay(drain.addonId(), Map.of(key.partition(), cursor),
                Map.of(key.partition(), replayTarget));
        readStep(replay);
    }

    private void readStep(Replay reading) {
        env.history().read(viewer(), reading, records -> env.lines(drain.addonId(), records))
                .whenComplete((step, error) -> env.context().runOnContext(v -> {
                    if (state != State.CATCHING_UP || replay != reading) {
                        return; // disabled, closed or failed meanwhile
                    }
                    if (error != null) {
                        failed("reading the drain's lines from Kafka: " + error.getMessage(), 0);
                        return;
                    }
                    stepDone = step.done();
                    List<DrainLine> lines = step.prepared();
                    long end = stepDone ? replayTarget : lines.isEmpty() ? cursor : lines.get(lines.size() - 1).offset() + 1;
                    stepRest = lines;
                    stepEnd = end;
                    nextCatchUpStep();
                }));
    }

    /**
     * Forgets the live lines held and the catch-up step being delivered (they are after the cursor: read again from
     * Kafka later). The step's end is forgotten too, so that the cursor can never move past its undelivered lines.
     */
    private void dropHeld() {
        pending.clear();
        pendingLines = 0;
        replay = null;
        stepRest = List.of();
        stepEnd = -1;
        stepDone = false;
    }

    /** Delivers the next batch of the step read, or reads the next step, or looks at the live end again. */
    private void nextCatchUpStep() {
        if (!stepRest.isEmpty()) {
            int n = Math.min(stepRest.size(), batchLines);
            List<DrainLine> batch = stepRest.subList(0, n);
            stepRest = stepRest.subList(n, stepRest.size());
            deliver(batch, stepRest.isEmpty() ? stepEnd : stepRest.get(0).offset());
            return;
        }
        cursor = Math.max(cursor, stepEnd);
        if (stepDone || replay == null) {
            catchUp();
        } else {
            readStep(replay);
        }
    }

    /** A new definition of the drain with the same recipient (another one gets a new channel). */
    void update(DrainDefinition now) {
        drain = now;
        enable(now.enabled());
    }

    private void enable(boolean now) {
        enabled = now;
        if (!enabled && state != State.DISABLED && state != State.CLOSED) {
            state = State.DISABLED;
            dropHeld();
        } else if (enabled && state == State.DISABLED && cursor >= 0) {
            catchUp();
        }
    }

    void close() {
        state = State.CLOSED;
        dropHeld();
        if (timer >= 0) {
            env.context().owner().cancelTimer(timer);
        }
        addBacklog(-backlog);
        recipient.close();
    }

    Recipient recipient() {
        return recipient;
    }

    private void addBacklog(long delta) {
        backlog += delta;
        counts.lag.addAndGet(delta);
    }

    /** Writes the cursor without waiting (it moved over other add-ons' lines only, or is written again). */
    private void writeCursor() {
        if (cursor != lastCursorWritten) {
            env.cursors().write(key, cursor);
            lastCursorWritten = cursor;
        }
    }

    /** Publishes the status, and the cursor if it moved over lines of other add-ons only. */
    void report() {
        if (state == State.CLOSED || state == State.STARTING) {
            return;
        }
        if (!inFlight()) {
            writeCursor();
        }
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - reportedAtNanos) / 1e9);
        double rate = (delivered - reportedDelivered) / seconds;
        double throughput = (deliveredBytes - reportedBytes) / seconds;
        reportedDelivered = delivered;
        reportedBytes = deliveredBytes;
        reportedAtNanos = now;
        String status = switch (state) {
            case DISABLED -> "DISABLED";
            case WAITING -> "RETRYING";
            default -> attempt > 0 ? "RETRYING" : "RUNNING";
        };
        env.cursors().publish(new DrainStatus(drain.id(), key.partition(), new DrainStatus.Execution(status, attempt,
                null, lastAttemptAt, nextAttemptAt, retryingSince, lastError), backlog, rate, throughput, delivered,
                failed, Instant.now()));
    }

    void forget() {
        env.cursors().forget(key);
    }
}
