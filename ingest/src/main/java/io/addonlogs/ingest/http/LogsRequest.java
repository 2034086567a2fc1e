package io.addonlogs.ingest.http;

import java.util.Arrays;

import io.addonlogs.common.frame.FrameHandler;
import io.addonlogs.common.frame.FramingError;
import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.gzip.GzipFormatException;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.kafka.RequestAcks;
import io.addonlogs.ingest.ratelimit.TokenRateLimiter;
import io.addonlogs.service.http.JsonError;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * One {@code POST /logs} whose headers passed: streams the body through the frame decoder and the header parser,
 * publishes each valid frame at once, pauses while Kafka is behind, and answers only when every published frame is
 * acknowledged (or Kafka failed or timed out: 503). Lives on the request's event loop; Kafka's thread only reaches
 * it through {@link RequestAcks} and the publisher's drain callback, both of which hop back to this context.
 */
final class LogsRequest implements FrameHandler, RequestAcks.Listener {

    private final HttpServerRequest request;
    private final Context context;
    private final IngestLimits limits;
    private final KafkaLogPublisher publisher;
    private final IngestMetrics metrics;
    private final byte[] token;
    private final byte[] addonId;
    private final Integer expectedCount;
    private final BodyInput body;
    private final OctetFrameDecoder decoder;
    private final Rfc5424Header header = new Rfc5424Header();
    private final FrameVerdict verdict = new FrameVerdict();
    private final RequestAcks acks;
    private final TokenRateLimiter.Bucket rate;
    /** Accepted in the current slice; charged to the token's rate once per slice, not per frame. */
    private long sliceLines;
    private long sliceBytes;

    private long received;
    private long receivedAt;
    private boolean parsing = true;
    private boolean tooLarge;
    private boolean timedOut;
    private long bodyTimer = -1;
    private boolean stoppedReading;
    private boolean ended;
    private boolean paused;
    private boolean bodyReleased;
    private boolean responded;
    private long timer = -1;

    LogsRequest(HttpServerRequest request, Context context, IngestLimits limits, KafkaLogPublisher publisher,
                IngestMetrics metrics, byte[] token, byte[] addonId, Integer expectedCount, boolean gzip,
                TokenRateLimiter.Bucket rate) {
        this.request = request;
        this.context = context;
        this.limits = limits;
        this.publisher = publisher;
        this.metrics = metrics;
        this.token = token;
        this.addonId = addonId;
        this.expectedCount = expectedCount;
        this.body = gzip ? BodyInput.gzip() : BodyInput.plain();
        this.decoder = new OctetFrameDecoder(limits.maxFrameBytes(), this);
        this.acks = new RequestAcks(context, this);
        this.rate = rate;
    }

    /** Attaches the handlers; called synchronously from the request handler, before any async step. */
    void start() {
        request.handler(this::onChunk);
        request.endHandler(v -> onEnd());
        request.exceptionHandler(this::onConnectionError);
        bodyTimer = context.owner().setTimer(limits.bodyTimeoutSeconds() * 1000L, id -> onBodyTimeout());
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            request.response().writeContinue();
        }
    }

    // --- body ---

    private void onChunk(Buffer chunk) {
        int n = chunk.length();
        received += n;
        metrics.bodyBytes(n);
        if (!parsing) {
            if (received > limits.maxBodyBytes() && !stoppedReading) {
                // discarding after a framing error, and the body goes on: answer now and close
                stoppedReading = true;
                releaseBody();
            }
            return;
        }
        if (received > limits.maxBodyBytes()) {
            stopTooLarge();
            return;
        }
        receivedAt = System.currentTimeMillis();
        body.input(chunk.getBytes());
        pump();
    }

    /** Feeds slices to the decoder until the chunk is used up, parsing stops, or Kafka is over its high-water mark. */
    private void pump() {
        try {
            while (parsing) {
                if (publisher.overHighWater()) {
                    pauseForKafka();
                    return;
                }
                if (!body.feedNext(decoder)) {
                    return;
                }
                chargeRate();
                FramingError error = decoder.error();
                if (error != null) {
                    verdict.framingBroken(error);
                    parsing = false;
                } else if (decoder.position() > limits.maxBodyBytes()) {
                    stopTooLarge();
                }
            }
        } catch (GzipFormatException e) {
            verdict.framingBroken(new FramingError(received, "gzip: " + e.getMessage()));
            parsing = false;
        }
    }

    private void chargeRate() {
        if (sliceLines > 0) {
            rate.take(sliceLines, sliceBytes);
            sliceLines = 0;
            sliceBytes = 0;
        }
    }

    private void pauseForKafka() {
        paused = true;
        request.pause();
        startKafkaTimer();
        publisher.whenDrained(context, this::onDrained);
    }

    private void onDrained() {
        if (responded) {
            return;
        }
        paused = false;
        cancelTimer();
        pump();
        if (!paused) {
            request.resume();
            if (ended) {
                finishBody();
            }
        }
    }

    private void onEnd() {
        ended = true;
        if (!paused) {
            finishBody();
        }
    }

    /** The body trickles in too slowly: answer 408 once what was published is acknowledged, then close. */
    private void onBodyTimeout() {
        bodyTimer = -1;
        if (ended || stoppedReading || responded || paused) {
            return; // complete, already answered, or waiting on Kafka (whose own timer answers)
        }
        parsing = false;
        timedOut = true;
        stoppedReading = true;
        releaseBody();
    }

    private void finishBody() {
        if (parsing) {
            parsing = false;
            try {
                body.finish();
                if (!decoder.finish()) {
                    verdict.framingBroken(decoder.error());
                }
            } catch (GzipFormatException e) {
                verdict.framingBroken(new FramingError(received, "gzip: " + e.getMessage()));
            }
        }
        releaseBody();
    }

    /** Past the body limit: stop parsing, answer 413 once what was published is acknowledged, then close. */
    private void stopTooLarge() {
        parsing = false;
        tooLarge = true;
        stoppedReading = true;
        releaseBody();
    }

    private void releaseBody() {
        if (bodyReleased) {
            return;
        }
        bodyReleased = true;
        cancelBodyTimer();
        body.close();
        acks.bodyDone();
        if (!responded && acks.pending() > 0) {
            startKafkaTimer();
        }
    }

    // --- frames ---

    @Override
    public void onFrame(byte[] buf, int offset, int length, int index, long bodyOffset) {
        if (!parsing) {
            return; // Kafka refused a frame earlier in this slice
        }
        if (!header.parse(buf, offset, length)) {
            metrics.frameRejected(header.rejection().field().rfcName());
            verdict.reject(index, bodyOffset, header.rejection().message());
        } else if (!header.appNameEquals(token)) {
            metrics.frameRejected("APP-NAME-MISMATCH");
            verdict.reject(index, bodyOffset, "APP-NAME: does not match the log token of the request");
        } else {
            byte[] value = Arrays.copyOfRange(buf, offset, offset + length);
            if (publisher.publish(token, addonId, value, receivedAt, acks)) {
                verdict.accept();
                metrics.frameAccepted();
                sliceLines++;
                sliceBytes += length;
            } else {
                parsing = false;
                unavailable("Kafka is unavailable; retry later");
            }
        }
    }

    // --- outcome ---

    @Override
    public void allAcknowledged() {
        if (responded || (!ended && !stoppedReading)) {
            return;
        }
        if (timedOut) {
            respond(408, verdict.toJson("body_timeout", "the body did not arrive within "
                    + limits.bodyTimeoutSeconds() + " s; " + acceptedNote()));
        } else if (tooLarge) {
            respond(413, verdict.toJson("body_too_large", "body exceeds " + limits.maxBodyBytes() + " bytes; "
                    + acceptedNote()));
        } else if (verdict.framingBroken()) {
            respond(400, verdict.toJson("bad_framing", "framing is broken; " + acceptedNote()));
        } else if (expectedCount != null && expectedCount != verdict.frames()) {
            respond(400, verdict.toJson("msg_count_mismatch", "Logplex-Msg-Count is " + expectedCount + " but the body has "
                    + verdict.frames() + " frames; " + acceptedNote()));
        } else if (!verdict.allAccepted()) {
            respond(400, verdict.toJson("invalid_frames", "some frames were rejected; " + acceptedNote()));
        } else {
            respond(204, null);
        }
    }

    private String acceptedNote() {
        return verdict.accepted() + " accepted frames are stored: do not resend them";
    }

    @Override
    public void failed(Exception cause) {
        if (!responded) {
            parsing = false;
            unavailable("Kafka did not store the logs (" + cause.getClass().getSimpleName() + "); retry later");
        }
    }

    private void startKafkaTimer() {
        if (timer < 0) {
            timer = context.owner().setTimer(limits.kafkaTimeoutMs(), id -> {
                timer = -1;
                if (!responded) {
                    parsing = false;
                    unavailable("Kafka did not acknowledge within " + limits.kafkaTimeoutMs() + " ms; retry later");
                }
            });
        }
    }

    private void cancelTimer() {
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
            timer = -1;
        }
    }

    private void unavailable(String error) {
        request.response().putHeader("Retry-After", String.valueOf(limits.retryAfterSeconds()));
        respond(503, JsonError.body("kafka_unavailable", error));
    }

    private void respond(int status, JsonObject json) {
        responded = true;
        cancelTimer();
        cancelBodyTimer();
        metrics.request(status);
        HttpServerResponse response = request.response();
        boolean close = !ended; // the rest of the body will not be read
        if (close) {
            response.putHeader("Connection", "close");
        }
        var sent = json == null ? response.setStatusCode(status).end() : JsonError.send(response, status, json);
        if (close) {
            sent.onComplete(v -> request.connection().close());
        }
    }

    private void onConnectionError(Throwable error) {
        // The client went away: nothing to answer. What was published stays published.
        parsing = false;
        responded = true;
        cancelTimer();
        cancelBodyTimer();
        if (!bodyReleased) {
            bodyReleased = true;
            body.close();
        }
    }

    private void cancelBodyTimer() {
        if (bodyTimer != -1) {
            context.owner().cancelTimer(bodyTimer);
            bodyTimer = -1;
        }
    }
}
