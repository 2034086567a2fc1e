package io.addonlogs.ingest.http;

import io.addonlogs.common.frame.FramingError;
import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.gzip.GzipFormatException;
import io.addonlogs.ingest.http.RequestState.Event;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.kafka.RequestAcks;
import io.addonlogs.ingest.ratelimit.PartialFrameBudget;
import io.addonlogs.ingest.ratelimit.TokenRateLimiter;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpServerRequest;

/**
 * One {@code POST /logs} whose headers passed: streams the body through the frame decoder and the header parser,
 * publishes each valid frame at once, pauses while Kafka is behind or its token is over its rate, and answers
 * ({@link RequestAnswer}) only when every published frame is acknowledged (or Kafka failed or timed out: 503). Its life is a {@link RequestState}, changed only by
 * {@link #fire}, which also starts and stops each state's timer. Lives on the request's event loop; Kafka's thread
 * only reaches it through {@link RequestAcks} and the publisher's drain callback, both of which hop back to this
 * context.
 */
final class LogsRequest implements RequestAcks.Listener {

    private final HttpServerRequest request;
    private final Context context;
    private final IngestLimits limits;
    private final KafkaLogPublisher publisher;
    private final IngestMetrics metrics;
    private final Integer expectedCount;
    private final BodyInput body;
    private final OctetFrameDecoder decoder;
    private final FrameIntake intake;
    private final FrameVerdict verdict = new FrameVerdict();
    private final RequestAcks acks;
    private final TokenRateLimiter.Bucket rate;
    private final Deadline bodyDeadline;
    private final Deadline kafkaDeadline;
    private final RequestAnswer answer;
    /** Frames and body bytes read and already charged to the token's rate (charged once per slice). */
    private int framesCharged;
    private long bytesCharged;
    /** The timer of PAUSED_FOR_RATE, -1 when none. */
    private long rateTimer = -1;

    private long received;
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
        this.expectedCount = expectedCount;
        this.body = gzip ? BodyInput.gzip() : BodyInput.plain();
        this.acks = new RequestAcks(context, this);
        this.intake = new FrameIntake(caller, publisher, acks, verdict, metrics,
                () -> kafkaFailed("Kafka is unavailable; retry later"));
        this.decoder = new OctetFrameDecoder(limits.maxFrameBytes(), intake);
        this.rate = caller.rate();
        this.partials = partials;
        this.bodyDeadline = new Deadline(context.owner(), limits.bodyTimeoutSeconds() * 1000L,
                () -> fire(Event.BODY_TIMED_OUT));
        this.kafkaDeadline = new Deadline(context.owner(), limits.kafkaTimeoutMs(), () -> kafkaFailed(
                "Kafka did not acknowledge within " + limits.kafkaTimeoutMs() + " ms; retry later"));
        this.guard = ConnectionGuard.of(request.connection());
        this.answer = new RequestAnswer(request, limits, metrics);
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
                // the request is resumed by resumeOn, once the rest of the paused chunk is parsed
            }
            case PAUSED_FOR_KAFKA -> {
                request.pause();
                bodyDeadline.suspend(); // time we do not read is not the client's
                kafkaDeadline.run();
                publisher.whenDrained(context, () -> resumeOn(Event.DRAINED));
            }
            case PAUSED_FOR_RATE -> {
                request.pause();
                bodyDeadline.suspend();
                long ms = Math.max(1, (rate.debtNanos() + 999_999) / 1_000_000);
                rateTimer = context.owner().setTimer(ms, id -> {
                    if (id == rateTimer) {
                        rateTimer = -1;
                        resumeOn(Event.RATE_REFILLED);
                    }
                });
            }
            case DISCARDING -> {
                // the body deadline goes on: dropping a body must not take longer than reading it
            }
            case AWAITING_ACKS -> {
                ending = event;
                bodyDeadline.reset();
                cancelRateTimer();
                closeBody();
                acks.bodyDone(); // may answer at once, through allAcknowledged
                if (state == RequestState.AWAITING_ACKS && acks.pending() > 0) {
                    kafkaDeadline.run();
                }
            }
            case ANSWERED, GONE -> {
                bodyDeadline.reset();
                kafkaDeadline.reset();
                cancelRateTimer();
                if (guard != null) {
                    guard.watchBody(null);
                }
                if (from != RequestState.AWAITING_ACKS) {
                    closeBody();
                }
                caller.releaseSlot().run();
                if (event == Event.KAFKA_FAILED) {
                    answer.kafkaUnavailable(ending, kafkaProblem);
                } else if (to == RequestState.ANSWERED) {
                    answer.verdict(ending, verdict, expectedCount);
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
        intake.receivedAt(System.currentTimeMillis());
        // read in place: Vert.x hands each chunk over in a heap buffer of its own (copied from the socket's), so its
        // array stays as it is until this request lets go of the chunk
        ByteBuf bytes = ((BufferInternal) chunk).unwrap();
        if (bytes.hasArray()) {
            body.input(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), bytes.readableBytes());
        } else {
            body.input(chunk.getBytes(), 0, n);
        }
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
                if (rate.debtNanos() > 0) {
                    fire(Event.OVER_RATE); // the token read more than its rate: wait it out, do not read on
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

    /** Charges the token for every frame and byte the decoder read since the last slice, accepted or not. */
    private void chargeRate() {
        int frames = decoder.frames();
        long bytes = decoder.position();
        rate.take(frames - framesCharged, bytes - bytesCharged);
        framesCharged = frames;
        bytesCharged = bytes;
    }

    /** Back to reading after a pause of ours: the rest of the paused chunk first, then the next chunks. */
    private void resumeOn(Event event) {
        fire(event);
        if (state == RequestState.READING) {
            pump();
            if (state == RequestState.READING) {
                request.resume();
            }
        }
    }

    private void cancelRateTimer() {
        if (rateTimer >= 0) {
            context.owner().cancelTimer(rateTimer);
            rateTimer = -1;
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
}
