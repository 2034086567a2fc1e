package io.addonlogs.ingest.kafka;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The ingest's own meters (Prometheus names in docs/operations.md). */
public final class IngestMetrics {

    private final MeterRegistry registry;
    private final Counter framesAccepted;
    private final Counter bytesReceived;
    private final Timer sendLatency;
    private final AtomicLong maxInFlight = new AtomicLong();
    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> requests = new ConcurrentHashMap<>();

    public IngestMetrics(MeterRegistry registry, LongSupplier inFlightBytes) {
        this.registry = registry;
        this.framesAccepted = Counter.builder("ingest_frames_accepted").description("Frames stored in Kafka")
                .register(registry);
        this.bytesReceived = Counter.builder("ingest_body_bytes").description("Body bytes received (as sent)")
                .baseUnit("bytes").register(registry);
        this.sendLatency = Timer.builder("ingest_kafka_send_latency").description("Kafka send to acknowledgement")
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("ingest_inflight_bytes", inFlightBytes::getAsLong)
                .description("Bytes sent to Kafka and not yet acknowledged").baseUnit("bytes").register(registry);
        Gauge.builder("ingest_inflight_bytes_max", maxInFlight::get)
                .description("Highest ingest_inflight_bytes seen since start").baseUnit("bytes").register(registry);
    }

    public void frameAccepted() {
        framesAccepted.increment();
    }

    /** {@code reason} is a bounded label: an RFC 5424 field name or {@code APP-NAME-MISMATCH}. */
    public void frameRejected(String reason) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("ingest_frames_rejected").tag("reason", r)
                .description("Frames rejected, by reason").register(registry)).increment();
    }

    /** One answer to POST /logs: its status and JSON error {@code code} ({@code none} for a 204), both bounded sets. */
    public void request(int status, String code) {
        String label = code == null ? "none" : code;
        requests.computeIfAbsent(status + " " + label, key -> Counter.builder("ingest_requests")
                .tag("status", String.valueOf(status)).tag("code", label)
                .description("POST /logs answers, by status and error code").register(registry)).increment();
    }

    public void bodyBytes(int n) {
        bytesReceived.increment(n);
    }

    void sent(long inFlight) {
        maxInFlight.accumulateAndGet(inFlight, Math::max);
    }

    void acked(long startNanos) {
        sendLatency.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    public long maxInFlightBytes() {
        return maxInFlight.get();
    }
}
