package io.addonlogs.consumer.sse;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.kafka.Cursor;
import io.addonlogs.consumer.kafka.HistoryReader;
import io.addonlogs.consumer.kafka.LiveReader;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * One viewer's live tail over SSE. Subscribes to the live reader first (learning where its live feed starts),
 * replays history up to that point (from the cursor, or from {@code since}), then writes the live lines it held
 * meanwhile and goes on live: no gap and, since every record's offset is checked against the cursor, no
 * duplicate. A viewer whose unwritten bytes pass the queue bound, or whose held lines pass their bound during the
 * replay, is disconnected (it resumes by cursor). Lives on its connection's event loop.
 */
final class TailStream implements LiveReader.Subscriber {

    private static final String HEARTBEAT = "event: HEARTBEAT\ndata: \n\n";

    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Context context;
    private final TailQuery query;
    private final String addonId;
    private final TailConfig config;
    private final LiveReader live;
    private final HistoryReader history;
    private final TailMetrics metrics;
    private final Runnable onClose;
    private final Rfc5424Header header = new Rfc5424Header();
    private final TreeMap<Integer, Long> next = new TreeMap<>();
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> held = new ArrayDeque<>();
    private boolean isLive;
    private volatile boolean closed;
    private int sent;
    private long heartbeatTimer = -1;
    private long untilTimer = -1;

    TailStream(HttpServerResponse response, HttpConnection connection, Context context, TailQuery query, String addonId, TailConfig config,
               LiveReader live, HistoryReader history, TailMetrics metrics, Runnable onClose) {
        this.response = response;
        this.connection = connection;
        this.context = context;
        this.query = query;
        this.addonId = addonId;
        this.config = config;
        this.live = live;
        this.history = history;
        this.metrics = metrics;
        this.onClose = onClose;
    }

    @Override
    public String addonId() {
        return addonId;
    }

    /**
     * Subscribes, then answers 200: once a client has the response headers, every line stored afterwards reaches
     * it. Then replays what the cursor or {@code since} asks for and goes live.
     */
    void start(Set<Integer> partitions) {
        metrics.connected();
        response.closeHandler(v -> cleanUp());
        Future.fromCompletionStage(live.subscribe(this, partitions), context)
                .compose(liveStart -> {
                    if (closed) {
                        return Future.failedFuture("viewer left");
                    }
                    openStream();
                    return startPositions(partitions, liveStart).compose(from -> replay(from, liveStart));
                })
                .onSuccess(v -> goLive())
                .onFailure(e -> {
                    if (!closed) {
                        response.reset();
                        cleanUp();
                    }
                });
    }

    private void openStream() {
        response.setStatusCode(200)
                .setChunked(true)
                .putHeader("Content-Type", "text/event-stream")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no")
                .setWriteQueueMaxSize(config.viewerQueueBytes());
        response.write(HEARTBEAT);
        heartbeatTimer = context.owner().setPeriodic(config.heartbeatMs(), id -> {
            if (!closed) {
                response.write(HEARTBEAT);
            }
        });
    }

    /** Where reading starts: after the cursor, at {@code since}, or (neither) where the live feed starts. */
    private Future<Map<Integer, Long>> startPositions(Set<Integer> partitions, Map<Integer, Long> liveStart) {
        if (query.resumeFrom() != null) {
            Map<Integer, Long> from = new HashMap<>(liveStart);
            query.resumeFrom().forEach((p, o) -> {
                if (from.containsKey(p)) {
                    from.put(p, o);
                }
            });
            return Future.succeededFuture(from);
        }
        if (query.since() != null) {
            return context.owner().executeBlocking(
                    () -> history.offsetsAt(partitions, query.since().toEpochMilli(), liveStart), false);
        }
        return Future.succeededFuture(liveStart);
    }

    private Future<Void> replay(Map<Integer, Long> from, Map<Integer, Long> liveStart) {
        next.putAll(from);
        return context.owner().executeBlocking(() -> {
            history.replay(addonId, from, liveStart, this::writeFromWorker, () -> closed);
            return null;
        }, false);
    }

    /** Called by the history reader's thread: writes the batch on the event loop and waits until it drained. */
    private Boolean writeFromWorker(List<ConsumerRecord<byte[], byte[]>> batch) {
        CompletableFuture<Boolean> written = new CompletableFuture<>();
        context.runOnContext(v -> {
            write(batch);
            if (closed) {
                written.complete(false);
            } else if (response.writeQueueFull()) {
                response.drainHandler(x -> written.complete(!closed));
            } else {
                written.complete(true);
            }
        });
        try {
            return written.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            context.runOnContext(v -> dropSlow());
            return false;
        }
    }

    private void goLive() {
        if (closed) {
            return;
        }
        isLive = true;
        write(held);
        held.clear();
        if (closed || query.until() == null) {
            return;
        }
        long wait = query.until().toEpochMilli() - System.currentTimeMillis();
        if (wait <= 0) {
            end("UNTIL_REACHED");
        } else {
            untilTimer = context.owner().setTimer(wait, id -> end("UNTIL_REACHED"));
        }
    }

    @Override
    public void onLive(List<ConsumerRecord<byte[], byte[]>> records, Runnable handled) {
        context.runOnContext(v -> {
            try {
                deliver(records);
            } finally {
                handled.run();
            }
        });
    }

    private void deliver(List<ConsumerRecord<byte[], byte[]>> records) {
        if (closed) {
            return;
        }
        if (!isLive) {
            held.addAll(records);
            if (held.size() > config.viewerBufferedEvents()) {
                dropSlow();
            }
            return;
        }
        write(records);
        if (!closed && response.writeQueueFull()) {
            dropSlow();
        }
    }

    /** Writes the records' events as one chunk (per-write costs in Netty dominate at high rates otherwise). */
    private void write(Iterable<ConsumerRecord<byte[], byte[]>> records) {
        StringBuilder chunk = new StringBuilder();
        int events = 0;
        String ended = null;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            long expected = next.getOrDefault(record.partition(), 0L);
            if (record.offset() < expected) {
                continue; // already delivered (the seam between replay and live, or a resumed cursor)
            }
            next.put(record.partition(), record.offset() + 1);
            if (query.until() != null && record.timestamp() > query.until().toEpochMilli()) {
                ended = "UNTIL_REACHED";
                break;
            }
            byte[] value = record.value();
            if (value == null || !header.parse(value, 0, value.length)) {
                continue;
            }
            LogEvent event = LogEvent.from(Cursor.encode(next), addonId, record.timestamp(), header);
            if (query.filter() != null && !event.message().contains(query.filter())) {
                continue;
            }
            chunk.append("id: ").append(event.id()).append("\nevent: RESOURCE_LOG\ndata: ")
                    .append(LogEventJson.toJson(event)).append("\n\n");
            events++;
            sent++;
            if (query.limit() != null && sent >= query.limit()) {
                ended = "LIMIT_REACHED";
                break;
            }
        }
        if (events > 0) {
            response.write(chunk.toString());
            metrics.eventsSent(events);
        }
        if (ended != null) {
            end(ended);
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
        if (heartbeatTimer >= 0) {
            context.owner().cancelTimer(heartbeatTimer);
        }
        if (untilTimer >= 0) {
            context.owner().cancelTimer(untilTimer);
        }
        held.clear();
        live.unsubscribe(this);
        metrics.disconnected();
        onClose.run();
    }
}
