package io.addonlogs.ingest.http;

import java.util.Arrays;

import io.addonlogs.common.frame.FrameHandler;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.kafka.RequestAcks;

/**
 * Takes each decoded frame of one request: checks its RFC 5424 header and that its APP-NAME is the request's token,
 * publishes it, and records the outcome in the request's {@link FrameVerdict}. Once Kafka refuses a frame it takes
 * no more (the request answers 503).
 */
final class FrameIntake implements FrameHandler {

    private final byte[] token;
    private final byte[] addonId;
    private final KafkaLogPublisher publisher;
    private final RequestAcks acks;
    private final FrameVerdict verdict;
    private final IngestMetrics metrics;
    private final Runnable kafkaRefused;
    private final Rfc5424Header header = new Rfc5424Header();
    private long receivedAt;
    private boolean refused;

    FrameIntake(Caller caller, KafkaLogPublisher publisher, RequestAcks acks, FrameVerdict verdict,
                IngestMetrics metrics, Runnable kafkaRefused) {
        this.token = caller.tokenBytes();
        this.addonId = caller.addonIdBytes();
        this.publisher = publisher;
        this.acks = acks;
        this.verdict = verdict;
        this.metrics = metrics;
        this.kafkaRefused = kafkaRefused;
    }

    /** The receive time of the chunk being decoded: the records' timestamp. */
    void receivedAt(long millis) {
        receivedAt = millis;
    }

    @Override
    public void onFrame(byte[] buf, int offset, int length, int index, long bodyOffset) {
        if (refused) {
            return; // Kafka refused a frame earlier in this slice
        }
        if (!header.parse(buf, offset, length)) {
            metrics.frameRejected(header.rejection().field().rfcName());
            verdict.reject(index, bodyOffset, header.rejection().message());
        } else if (!header.appNameEquals(token)) {
            metrics.frameRejected("APP-NAME-MISMATCH");
            verdict.reject(index, bodyOffset, "APP-NAME: does not match the log token of the request");
        } else if (publisher.publish(token, addonId, Arrays.copyOfRange(buf, offset, offset + length), receivedAt,
                acks)) {
            verdict.accept();
            metrics.frameAccepted();
        } else {
            refused = true;
            kafkaRefused.run();
        }
    }
}
