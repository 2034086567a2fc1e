package io.addonlogs.consumer.sse;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.consumer.history.Replay;
import io.addonlogs.consumer.kafka.LiveReader;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.addonlogs.service.http.JsonError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * One viewer's live tail over SSE. Subscribes to the live reader first (learning where its live feed starts),
 * replays history up to that point (from the cursor, or from {@code since}) one step at a time, asking the history
 * reader for the next step only once the previous one is written (a viewer that does not read holds no thread),
 * then writes the live lines it held meanwhile and goes on live: no gap and, since every record's offset is
 * checked against the cursor, no duplicate. A viewer whose unwritten bytes pass the queue bound, whose held lines
 * pass their bounds during the replay, or whose replay cannot write for {@link #STALLED_MS}, is disconnected (it
 * resumes by cursor). The stream ends with {@code TOKEN_EXPIRED} when the viewer's credentials expire. A viewer's
 * {@link Throttle} bounds what is written to it: when its budget runs out before the stream caught up, the stream
 * falls back to Kafka (see {@link #fallBack}). Lives on its connection's event loop.
 */
final class TailStream {

    private static final byte[] HEARTBEAT = "event: HEARTBEAT\ndata: \n\n".getBytes(StandardCharsets.US_ASCII);
    /** A replay that cannot write for this long is dropped (it resumes by cursor). */
    static final long STALLED_MS = 60_000;

    private final HttpServerResponse response;
    private final WriteWindow window;
    private final HttpConnection connection;
    private final Context context;
    private final TailQuery query;
    private final String addonId;
    private final TailConfig config;
    private final LiveReader<LiveBatch> live;
    private final HistoryReader history;
    private final TailMetrics metrics;
    private final Runnable onClose;
    private final Instant expiresAt;
    private final String viewerId;
    private final int partitionCount;
    private final EventEncoder encoder;
    private final Throttle throttle;
    private Set<Integer> partitions;
    /** The current subscription to the live feed, or null while throttled. */
    private Feed feed;
    private final HeldBatches held;
    private boolean isLive;
    private boolean replaying;
    private volatile boolean closed;
    private long heartbeatTimer = -1;
    private long untilTimer = -1;
    private long expiryTimer = -1;
    private long stallTimer = -1;
    private long throttleTimer = -1;

    /**
     * {@code replaySlot}: the caller took one of the history reader's replay slots for this stream (it replays), to
     * be given back when the replay ends; {@code viewerId}: whose turn its history reads take; {@code expiresAt}:
     * when the viewer's credentials expire, or null; {@code partitionCount}: the logs topic's, when the stream's
     * partitions were chosen.
     */
    TailStream(HttpServerResponse response, HttpConnection connection, Context context, TailQuery query, String addonId,
               TailConfig config, LiveReader<LiveBatch> live, HistoryReader history, TailMetrics metrics, boolean replaySlot,
               String viewerId, Instant expiresAt, int partitionCount, Runnable onClose) {
        this.response = response;
        this.window = new WriteWindow(response, config.viewerQueueBytes());
        this.connection = connection;
        this.context = context;
        this.query = query;
        this.addonId = addonId;
        this.config = config;
        this.live = live;
        this.history = history;
        this.metrics = metrics;
        this.onClose = onClose;
        this.replaying = replaySlot;
        this.expiresAt = expiresAt;
        this.viewerId = viewerId;
        this.partitionCount = partitionCount;
        this.encoder = new EventEncoder(query, addonId);
        this.held = new HeldBatches(config.viewerBufferedEvents(), config.viewerHeldBytes());
        this.throttle = new Throttle(query.throttleElements(), query.throttlePerMillis(), System::nanoTime);
    }

    /**
     * Subscribes, then answers 200: once a client has the response headers, every line stored afterwards reaches
     * it. Then replays what the cursor or {@code since} asks for and goes live.
     */
    void start(Set<Integer> partitions) {
        this.partitions = partitions;
        metrics.connected();
        response.closeHandler(v -> cleanUp());
        subscribe().compose(liveStart -> {
            if (closed) {
                return Future.failedFuture("viewer left");
            }
            String beyond = beyondTheEnd(liveStart);
            if (beyond != null) {
                JsonError.send(response, 400, "bad_request", beyond);
                cleanUp();
                return Future.failedFuture(beyond);
            }
            openStream();
            return startPositions(partitions, liveStart).compose(from -> replay(from, liveStart));
        }).onComplete(this::replayed);
    }

    /** Subscribes anew: batches still on their way to an earlier subscription are dropped. */
    private Future<Map<Integer, Long>> subscribe() {
        feed = new Feed();
        return Future.fromCompletionStage(live.subscribe(feed, partitions), context);
    }

    /** After a replay: live if it caught up, back to Kafka if the throttle's budget ran out first. */
    private void replayed(AsyncResult<Boolean> caughtUp) {
        if (caughtUp.failed()) {
            if (!closed) {
                response.reset();
                cleanUp();
            }
        } else if (caughtUp.result()) {
            goLive();
        } else {
            fallBack();
        }
    }

    /** Why the cursor cannot be served (it points past what Kafka holds: another topic or cluster), or null. */
    private String beyondTheEnd(Map<Integer, Long> liveStart) {
        if (query.resumeFrom() == null) {
            return null;
        }
        for (Map.Entry<Integer, Long> position : query.resumeFrom().entrySet()) {
            Long end = liveStart.get(position.getKey());
            if (end != null && position.getValue() > end) {
                return "Last-Event-ID points past the end of partition " + position.getKey() + " (" + end
                        + "): not a cursor of this topic";
            }
        }
        return null;
    }

    int partitionCount() {
        return partitionCount;
    }

    private void openStream() {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
        window.write(Buffer.buffer(HEARTBEAT));
        heartbeatTimer = context.owner().setPeriodic(config.heartbeatMs(), id -> {
            if (!closed) {
                window.write(Buffer.buffer(HEARTBEAT));
            }
        });
        if (expiresAt != null) {
            long wait = Math.max(1, expiresAt.toEpochMilli() - System.currentTimeMillis());
            expiryTimer = context.owner().setTimer(wait, id -> end("TOKEN_EXPIRED"));
        }
    }

    /**
     * Where reading starts: after the cursor; else at {@code since}, or at the last {@code tail} lines (the later of
     * the two when both are asked for); else where the live feed starts.
     */
    private Future<Map<Integer, Long>> startPositions(Set<Integer> partitions, Map<Integer, Long> liveStart) {
        if (query.resumeFrom() != null) {
            // a partition the cursor does not name is new to this add-on (partitions added, or a new token):
            // all its lines of the add-on came after the cursor, so it is read from its start
            Map<Integer, Long> from = new HashMap<>();
            liveStart.keySet().forEach(p -> from.put(p, query.resumeFrom().getOrDefault(p, 0L)));
            return Future.succeededFuture(from);
        }
        Future<Map<Integer, Long>> since = query.since() == null ? null : Future.fromCompletionStage(
                history.offsetsAt(viewerId, partitions, query.since().toEpochMilli(), liveStart), context);
        if (query.tail() == null) {
            return since != null ? since : Future.succeededFuture(liveStart);
        }
        // the encoder is the history thread's until the look-up completes: nothing else uses it before the replay
        Future<Map<Integer, Long>> tail = Future.fromCompletionStage(
                history.lastLines(viewerId, addonId, liveStart, query.tail(), encoder::wanted), context);
        return since == null ? tail : since.compose(after -> tail.map(last -> {
            Map<Integer, Long> from = new HashMap<>(last);
            after.forEach((p, offset) -> from.merge(p, offset, Math::max));
            return from;
        }));
    }

    /** Completes with true once caught up with {@code liveStart}, false when the throttle's budget ran out first. */
    private Future<Boolean> replay(Map<Integer, Long> from, Map<Integer, Long> liveStart) {
        encoder.startAt(from);
        Promise<Boolean> done = Promise.promise();
        step(history.replay(addonId, from, liveStart), done);
        return done.future();
    }

    /** Asks for one step of the replay; writes it; asks for the next once the viewer has taken it in. */
    private void step(Replay replay, Promise<Boolean> done) {
        int budget = throttle.allowance();
        if (budget == 0) {
            done.complete(false);
            return;
        }
        // the encoder is the history thread's until the step completes: live lines are only held meanwhile
        Future.fromCompletionStage(history.read(viewerId, replay, records -> encoder.encode(records, budget)), context)
                .onComplete(read -> stepRead(read, replay, done));
    }

    private void stepRead(AsyncResult<HistoryReader.Step<EventEncoder.Chunk>> read, Replay replay,
                          Promise<Boolean> done) {
        if (closed || read.failed()) {
            done.tryFail(closed ? new IllegalStateException("viewer left") : read.cause());
            return;
        }
        HistoryReader.Step<EventEncoder.Chunk> step = read.result();
        emit(step.prepared());
        if (closed) {
            done.tryFail("stream ended");
        } else if (step.prepared().stopped()) {
            done.complete(false);
        } else if (step.done()) {
            done.complete(true);
        } else if (window.full()) {
            stallTimer = context.owner().setTimer(STALLED_MS, id -> dropSlow());
            window.whenDrained(() -> {
                context.owner().cancelTimer(stallTimer);
                step(replay, done);
            });
        } else {
            step(replay, done);
        }
    }

    private void goLive() {
        if (closed) {
            return;
        }
        endReplay();
        isLive = true;
        LiveBatch batch;
        while (isLive && !closed && (batch = held.take()) != null) {
            takeLive(batch);
        }
        held.clear();
        if (closed || !isLive || query.until() == null) {
            return;
        }
        long wait = query.until().toEpochMilli() - System.currentTimeMillis();
        if (wait <= 0) {
            end("UNTIL_REACHED");
        } else {
            untilTimer = context.owner().setTimer(wait, id -> end("UNTIL_REACHED"));
        }
    }

    /**
     * The throttle's budget ran out before the stream caught up. Leaves the live feed (its lines wait in Kafka; those
     * held are dropped, to be read again), waits until the budget allows more, then subscribes again and replays from
     * the cursor to the new live start as at the start, each step within the budget, and goes live again.
     */
    private void fallBack() {
        isLive = false;
        live.unsubscribe(feed);
        feed = null;
        held.clear();
        if (untilTimer >= 0) { // the clock passing until ends the stream only once it caught up
            context.owner().cancelTimer(untilTimer);
            untilTimer = -1;
        }
        throttleTimer = context.owner().setTimer(throttle.millisUntilAllowed(), id -> {
            throttleTimer = -1;
            if (!closed) {
                subscribe().compose(liveStart -> closed ? Future.<Boolean>failedFuture("viewer left")
                        : replay(encoder.positions(), liveStart)).onComplete(this::replayed);
            }
        });
    }

    /** One subscription to the live feed: batches reaching one that is not the stream's current are dropped. */
    private final class Feed implements LiveReader.Subscriber<LiveBatch> {
        @Override
        public String addonId() {
            return addonId;
        }

        @Override
        public void onLive(LiveBatch batch, Runnable handled) {
            context.runOnContext(v -> {
                try {
                    if (feed == this) {
                        deliver(batch);
                    }
                } finally {
                    handled.run();
                }
            });
        }
    }

    private void deliver(LiveBatch batch) {
        if (closed) {
            return;
        }
        if (!isLive) {
            if (!held.hold(batch)) {
                dropSlow();
            }
            return;
        }
        takeLive(batch);
        if (!closed && isLive && window.full()) {
            dropSlow();
        }
    }

    /** Writes what the throttle allows of a live batch; falls back to Kafka for the rest. */
    private void takeLive(LiveBatch batch) {
        EventEncoder.Chunk chunk = encoder.live(batch, throttle.allowance());
        emit(chunk);
        if (!closed && chunk.stopped()) {
            fallBack();
        }
    }

    private void emit(EventEncoder.Chunk chunk) {
        if (chunk.bytes() != null) {
            window.write(chunk.bytes());
        }
        if (chunk.events() > 0) {
            metrics.eventsSent(chunk.events());
            throttle.spent(chunk.events());
        }
        if (chunk.endedBy() != null) {
            end(chunk.endedBy());
        }
    }

    /** Writes END_OF_STREAM and closes. */
    void end(String endedBy) {
        if (closed) {
            return;
        }
        response.end("event: END_OF_STREAM\ndata: {\"endedBy\":\"" + endedBy + "\"}\n\n");
        cleanUp();
    }

    /**
     * Server shutdown: end the response and close the connection, so the client reconnects elsewhere. Does not
     * wait for the client: one that stopped reading must not hold the shutdown.
     */
    void shutdown() {
        if (!closed) {
            cleanUp();
            response.end();
            connection.close();
        }
    }

    /** Gives the replay slot back, once. */
    private void endReplay() {
        if (replaying) {
            replaying = false;
            history.replayEnded();
        }
    }

    private void dropSlow() {
        if (!closed) {
            metrics.droppedSlow();
            response.reset();
            cleanUp();
        }
    }

    private void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        for (long timer : new long[] {heartbeatTimer, untilTimer, expiryTimer, stallTimer, throttleTimer}) {
            if (timer >= 0) {
                context.owner().cancelTimer(timer);
            }
        }
        endReplay();
        held.clear();
        if (feed != null) {
            live.unsubscribe(feed);
        }
        metrics.disconnected();
        onClose.run();
    }
}
