package io.addonlogs.ingest.kafka;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import io.vertx.core.Context;

/**
 * Publishes accepted frames to the logs topic through the one shared producer, and is the bounded sink of
 * back-pressure: it counts the bytes sent and not yet acknowledged, process-wide; above the high-water mark
 * requests pause ({@link #overHighWater()}), and they are resumed, on their own context, once the count falls
 * below the low-water mark ({@link #whenDrained}). Keeping that count well under the producer's
 * {@code buffer.memory} is what makes {@code send} never block an event loop on a full buffer.
 */
public final class KafkaLogPublisher {

    /** Bytes a record costs beyond key and value (headers, batch overhead): a rough, safe-side constant. */
    private static final int RECORD_OVERHEAD = 64;
    public static final String ADDON_ID_HEADER = "addon-id";

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final long highWater;
    private final long lowWater;
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
    private final IngestMetrics metrics;

    public KafkaLogPublisher(Producer<byte[], byte[]> producer, String topic, long highWater, long lowWater,
                             IngestMetrics metrics) {
        this.producer = producer;
        this.topic = topic;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.metrics = metrics;
    }

    /**
     * Sends one record: key = token, value = MSG as received, timestamp = receive time, header {@code addon-id}.
     * The outcome goes to {@code acks}. Never blocks (see the class comment); a synchronous failure of
     * {@code send} counts as a failed acknowledgement.
     */
    public void publish(byte[] token, byte[] addonId, byte[] value, long receivedAt, RequestAcks acks) {
        long size = token.length + addonId.length + value.length + RECORD_OVERHEAD;
        metrics.sent(inFlight.addAndGet(size));
        acks.sent();
        List<Header> headers = List.of(new RecordHeader(ADDON_ID_HEADER, addonId));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, receivedAt, token, value, headers);
        long start = System.nanoTime();
        try {
            producer.send(record, (metadata, error) -> {
                release(size);
                if (error == null) {
                    metrics.acked(start);
                }
                acks.acknowledged(error);
            });
        } catch (KafkaException e) {
            release(size);
            acks.acknowledged(e);
        }
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
