package io.addonlogs.ingest.kafka;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.service.kafka.AccessDenied;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Publishes accepted frames to the logs topic through the one shared producer, and is the bounded sink of
 * back-pressure: it counts the bytes sent and not yet acknowledged, process-wide; above the high-water mark
 * requests pause ({@link #overHighWater()}), and they are resumed, on their own context, once the count falls
 * below the low-water mark ({@link #whenDrained}). Keeping that count well under the producer's
 * {@code buffer.memory} is what makes {@code send} never block an event loop on a full buffer.
 *
 * <p>{@code send} can also block on missing topic metadata (at start, or when the brokers are gone). So the
 * publisher starts unavailable, and becomes so again whenever a {@code send} fails synchronously; while unavailable
 * {@link #publish} refuses at once, and a worker thread fetches the metadata until it succeeds. An event loop thus
 * waits at most {@code max.block.ms} once per outage, not once per line.
 */
public final class KafkaLogPublisher {

    /** Bytes a record costs beyond key and value (headers, batch overhead): a rough, safe-side constant. */
    private static final int RECORD_OVERHEAD = 64;
    /**
     * The send-latency timer takes a request's first record and every 16th after it. Its client-side percentiles
     * cost about as much as the rest of an acknowledgement's work, on Kafka's single I/O thread (docs/BENCHMARKS.md,
     * "Sampling the send latency").
     */
    static final int SEND_LATENCY_SAMPLE = 16;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLogPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final long highWater;
    private final long lowWater;
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final IngestMetrics metrics;
    private final Vertx vertx;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean available;
    private volatile boolean everAvailable;
    private volatile boolean closed;

    public KafkaLogPublisher(Vertx vertx, Producer<byte[], byte[]> producer, String topic, long highWater,
                             long lowWater, IngestMetrics metrics) {
        this.vertx = vertx;
        this.producer = producer;
        this.topic = topic;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.metrics = metrics;
    }

    /** Starts fetching the topic's metadata; the publisher is available once that worked. */
    public void start() {
        markUnavailable();
    }

    /**
     * Sends one record: key = token, value = MSG as received, timestamp = receive time, header {@code addon-id}.
     * The outcome goes to {@code acks}. Returns false, sending nothing, if Kafka is unavailable (see the class
     * comment): the caller answers 503 at once.
     */
    public boolean publish(byte[] token, byte[] addonId, byte[] value, long receivedAt, RequestAcks acks) {
        if (!available) {
            return false;
        }
        long size = token.length + addonId.length + value.length + RECORD_OVERHEAD;
        metrics.sent(inFlight.addAndGet(size));
        boolean timed = acks.sent() % SEND_LATENCY_SAMPLE == 0;
        List<Header> headers = List.of(new RecordHeader(LogHeaders.ADDON_ID, addonId));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, receivedAt, token, value, headers);
        long start = timed ? System.nanoTime() : 0;
        Future<RecordMetadata> sent;
        try {
            sent = producer.send(record, (metadata, error) -> {
                release(size);
                if (timed && error == null) {
                    metrics.acked(start);
                }
                acks.acknowledged(error);
            });
        } catch (KafkaException e) {
            release(size);
            acks.acknowledged(e);
            refuseUntilMetadata(e);
            return false;
        }
        // Kafka reports a metadata timeout (brokers gone) through an already failed future, not an exception;
        // the callback has then run already
        return !(sent.isDone() && failedNow(sent));
    }

    private boolean failedNow(Future<RecordMetadata> sent) {
        try {
            sent.get();
            return false;
        } catch (ExecutionException e) {
            refuseUntilMetadata(e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void refuseUntilMetadata(Throwable cause) {
        LOG.warn("Kafka send failed at once ({}): refusing logs until topic {} metadata is back", cause.toString(),
                topic);
        markUnavailable();
    }

    /** True once the topic's metadata has been fetched at least once (readiness). */
    public boolean everAvailable() {
        return everAvailable;
    }

    public boolean available() {
        return available;
    }

    public void close() {
        closed = true;
    }

    private void markUnavailable() {
        available = false;
        if (probing.compareAndSet(false, true)) {
            probe();
        }
    }

    private void probe() {
        vertx.executeBlocking(() -> producer.partitionsFor(topic), false).onComplete(result -> {
            if (result.succeeded() && !result.result().isEmpty()) {
                LOG.info("Kafka available: topic {} has {} partitions", topic, result.result().size());
                available = true;
                everAvailable = true;
                probing.set(false);
            } else if (!closed) {
                Optional<RuntimeException> denied = AccessDenied.in(result.cause());
                if (denied.isPresent()) {
                    AccessDenied.log(LOG, "the ingest producer", denied.get());
                } else {
                    LOG.warn("Cannot read metadata of topic {} ({}); retrying", topic,
                            result.failed() ? result.cause().toString() : "no partitions");
                }
                vertx.setTimer(denied.isPresent() ? AccessDenied.RETRY.toMillis() : 500, id -> probe());
            }
        });
    }

    public boolean overHighWater() {
        return inFlight.get() >= highWater;
    }

    public long inFlightBytes() {
        return inFlight.get();
    }

    /** Runs {@code action} on {@code context} once in-flight bytes are below the low-water mark (maybe at once). */
    public void whenDrained(Context context, Runnable action) {
        waiters.add(new Waiter(context, action));
        if (inFlight.get() < lowWater) {
            wakeWaiters();
        }
    }

    private void release(long size) {
        if (inFlight.addAndGet(-size) < lowWater && !waiters.isEmpty()) {
            wakeWaiters();
        }
    }

    private void wakeWaiters() {
        Waiter waiter;
        while ((waiter = waiters.poll()) != null) {
            Runnable action = waiter.action();
            waiter.context().runOnContext(v -> action.run());
        }
    }

    private record Waiter(Context context, Runnable action) {
    }
}
