package io.addonlogs.ingest.http;

import java.util.Arrays;

import io.addonlogs.common.frame.FrameHandler;
import io.addonlogs.common.frame.FramingError;
import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.gzip.GzipFormatException;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.ingest.http.RequestState.Event;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.kafka.RequestAcks;
import io.addonlogs.ingest.ratelimit.PartialFrameBudget;
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
 * acknowledged (or Kafka failed or timed out: 503). Its life is a {@link RequestState}, changed only by
 * {@link #fire}, which also starts and stops each state's timer. Lives on the request's event loop; Kafka's thread
 * only reaches it through {@link RequestAcks} and the publisher's drain callback, both of which hop back to this
 * context.
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
    private final Deadline bodyDeadline;
    private final Deadline kafkaDeadline;
    /** Accepted in the current slice; charged to the token's rate once per slice, not per frame. */
    private long sliceLines;
    private long sliceBytes;

    private long received;
    private long receivedAt;
    private RequestState state = RequestState.READING;
    /** The event that ended reading: decides the answer, and whether the connection stays open. */
    private Event ending;
    /** Why Kafka failed the request, for its 503. */
    private String kafkaProblem;
    private final ConnectionGuard guard;
    private final PartialFrameBudget partials;
    private final Caller caller;
    /** The decoder's held bytes as last counted in {@link #partials}. */
    private long heldCounted;

    LogsRequest(HttpServerRequest request, Context context, IngestLimits limits, KafkaLogPublisher publisher,
                IngestMetrics metrics, PartialFrameBudget partials, Caller caller, Integer expectedCount,
                boolean gzip) {
        this.request = request;
        this.context = context;
        this.limits = limits;
        this.publisher = publisher;
        this.metrics = metrics;
        this.caller = caller;
        this.token = caller.tokenBytes();
        this.addonId = caller.addonIdBytes();
        this.expectedCount = expectedCount;
        this.body = gzip ? BodyInput.gzip() : BodyInput.plain();
        this.decoder = new OctetFrameDecoder(limits.maxFrameBytes(), this);
        this.acks = new RequestAcks(context, this);
        this.rate = caller.rate();
        this.partials = partials;
        this.bodyDeadline = new Deadline(context.owner(), limits.bodyTimeoutSeconds() * 1000L,
                () -> fire(Event.BODY_TIMED_OUT));
        this.kafkaDeadline = new Deadline(context.owner(), limits.kafkaTimeoutMs(), () -> kafkaFailed(
                "Kafka did not acknowledge within " + limits.kafkaTimeoutMs() + " ms; retry later"));
        this.guard = ConnectionGuard.of(request.connection());
    }

    /** Attaches the handlers; called synchronously from the request handler, before any async step. */
    void start() {
        request.handler(this::onChunk);
        request.endHandler(v -> onEnd());
        request.exceptionHandler(e -> fire(Event.CONNECTION_LOST));
        if (guard != null) {
            guard.watchBody(cause -> context.runOnContext(v -> onHttpFramingBroken(cause)));
        }
        bodyDeadline.run(); // READING begins
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
            request.response().writeContinue();
        }
    }

    // --- the state machine ---

    /** The one place the state changes: moves on {@code event} and runs what the new state starts with. */
    private void fire(Event event) {
        RequestState from = state;
        RequestState to = from.on(event);
        if (to == from) {
            return;
        }
        state = to;
        switch (to) {
            case READING -> {
                kafkaDeadline.reset();
                bodyDeadline.run(); // with what the pause left of it
                // the request is resumed by onDrained, once the rest of the paused chunk is parsed
            }
            case PAUSED_FOR_KAFKA -> {
                request.pause();
                bodyDeadline.suspend(); // time we do not read is not the client's
                kafkaDeadline.run();
                publisher.whenDrained(context, this::onDrained);
            }
            case DISCARDING -> {
                // the body deadline goes on: dropping a body must not take longer than reading it
            }
            case AWAITING_ACKS -> {
                ending = event;
                bodyDeadline.reset();
                closeBody();
                acks.bodyDone(); // may answer at once, through allAcknowledged
                if (state == RequestState.AWAITING_ACKS && acks.pending() > 0) {
                    kafkaDeadline.run();
                }
            }
            case ANSWERED, GONE -> {
                bodyDeadline.reset();
                kafkaDeadline.reset();
                if (guard != null) {
                    guard.watchBody(null);
                }
                if (from != RequestState.AWAITING_ACKS) {
                    closeBody();
                }
                caller.releaseSlot().run();
                if (to == RequestState.ANSWERED) {
                    answer(event);
                }
            }
            default -> throw new IllegalStateException(to.name());
        }
    }

    // --- body ---

    private void onChunk(Buffer chunk) {
        int n = chunk.length();
        received += n;
        metrics.bodyBytes(n);
        if (received > limits.maxBodyBytes()) {
            if (state == RequestState.READING || state == RequestState.DISCARDING) {
                fire(Event.BODY_TOO_LARGE); // the rest of the body will not be read: answer now, then close
            }
            return;
        }
        if (state != RequestState.READING) {
            return; // discarding after a framing error, or answered
        }
        receivedAt = System.currentTimeMillis();
        body.input(chunk.getBytes());
        pump();
    }

    /** Feeds slices to the decoder until the chunk is used up, reading stops, or Kafka is over its high-water mark. */
    private void pump() {
        try {
            while (state == RequestState.READING) {
                if (publisher.overHighWater()) {
                    fire(Event.OVER_HIGH_WATER);
                    return;
                }
                if (!caller.stillAuthorized().getAsBoolean()) {
                    fire(Event.TOKEN_REVOKED); // checked once per slice: nothing read after this is stored
                    return;
                }
                if (!body.feedNext(decoder)) {
                    return;
                }
                chargeRate();
                countHeld();
                FramingError error = decoder.error();
                if (error != null) {
                    verdict.framingBroken(error);
                    fire(Event.FRAMING_BROKEN);
                } else if (decoder.position() > limits.maxBodyBytes()) {
                    fire(Event.BODY_TOO_LARGE);
                }
            }
        } catch (GzipFormatException e) {
            verdict.framingBroken(new FramingError(received, "gzip: " + e.getMessage()));
            fire(Event.FRAMING_BROKEN);
        }
    }

    /** Keeps {@link #partials} up to date with what the decoder holds for a frame split across chunks. */
    private void countHeld() {
        long held = decoder.heldBytes();
        partials.add(held - heldCounted);
        heldCounted = held;
    }

    /** Reading is over: the body's resources go, and so does what the decoder held. */
    private void closeBody() {
        body.close();
        partials.add(-heldCounted);
        heldCounted = 0;
    }

    private void chargeRate() {
        if (sliceLines > 0) {
            rate.take(sliceLines, sliceBytes);
            sliceLines = 0;
            sliceBytes = 0;
        }
    }

    private void onDrained() {
        fire(Event.DRAINED);
        if (state == RequestState.READING) {
            pump(); // the rest of the chunk that was being parsed when Kafka fell behind
            if (state == RequestState.READING) {
                request.resume();
            }
        }
    }

    private void onEnd() {
        if (state == RequestState.READING) {
            try {
                body.finish();
                if (!decoder.finish()) {
                    verdict.framingBroken(decoder.error());
                }
            } catch (GzipFormatException e) {
                verdict.framingBroken(new FramingError(received, "gzip: " + e.getMessage()));
            }
        }
        fire(Event.BODY_ENDED);
    }

    /** A bad chunk (see {@link ConnectionGuard}): nothing after it can be read; frames before it stay stored. */
    private void onHttpFramingBroken(Throwable cause) {
        if (!verdict.framingBroken()) {
            verdict.framingBroken(new FramingError(received, "chunked transfer coding is broken ("
                    + cause.getClass().getSimpleName() + "); nothing after this offset was read"));
        }
        fire(Event.HTTP_FRAMING_BROKEN);
    }

    // --- frames ---

    @Override
    public void onFrame(byte[] buf, int offset, int length, int index, long bodyOffset) {
        if (state != RequestState.READING) {
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
                kafkaFailed("Kafka is unavailable; retry later");
            }
        }
    }

    // --- outcome ---

    @Override
    public void allAcknowledged() {
        fire(Event.ALL_ACKED);
    }

    @Override
    public void failed(Exception cause) {
        kafkaFailed("Kafka did not store the logs (" + cause.getClass().getSimpleName() + "); retry later");
    }

    private void kafkaFailed(String problem) {
        if (!state.terminal()) {
            kafkaProblem = problem;
            fire(Event.KAFKA_FAILED);
        }
    }

    private void answer(Event event) {
        if (event == Event.KAFKA_FAILED) {
            request.response().putHeader("Retry-After", String.valueOf(limits.retryAfterSeconds()));
            respond(503, JsonError.body("kafka_unavailable", kafkaProblem));
        } else if (ending == Event.TOKEN_REVOKED) {
            request.response().putHeader("WWW-Authenticate", "Basic realm=\"logs\"");
            respond(401, verdict.toJson("token_revoked", "the log token was revoked during the request; "
                    + acceptedNote()));
        } else if (ending == Event.BODY_TIMED_OUT) {
            respond(408, verdict.toJson("body_timeout", "the body did not arrive within "
                    + limits.bodyTimeoutSeconds() + " s; " + acceptedNote()));
        } else if (verdict.framingBroken()) {
            respond(400, verdict.toJson("bad_framing", "framing is broken; " + acceptedNote()));
        } else if (ending == Event.BODY_TOO_LARGE) {
            respond(413, verdict.toJson("body_too_large", "body exceeds " + limits.maxBodyBytes() + " bytes; "
                    + acceptedNote()));
        } else if (expectedCount != null && expectedCount != verdict.frames()) {
            respond(400, verdict.toJson("msg_count_mismatch", "Logplex-Msg-Count is " + expectedCount
                    + " but the body has " + verdict.frames() + " frames; " + acceptedNote()));
        } else if (!verdict.allAccepted()) {
            respond(400, verdict.toJson("invalid_frames", "some frames were rejected; " + acceptedNote()));
        } else {
            respond(204, null);
        }
    }

    private String acceptedNote() {
        return verdict.accepted() + " accepted frames are stored: do not resend them";
    }

    private void respond(int status, JsonObject json) {
        metrics.request(status);
        HttpServerResponse response = request.response();
        boolean close = ending != Event.BODY_ENDED; // the rest of the body will not be read
        if (close) {
            response.putHeader("Connection", "close");
            if (guard != null) {
                guard.refuseMore(); // what follows the unread rest of the body is no request of ours
            }
        }
        var sent = json == null ? response.setStatusCode(status).end() : JsonError.send(response, status, json);
        if (close) {
            sent.onComplete(v -> request.connection().close());
        }
    }
}
