package io.addonlogs.ingest.http;

/**
 * Where a {@link LogsRequest} is in its life, and the one table of the moves it can make ({@link #on}). Each state
 * says which timer runs in it; {@link LogsRequest} arms that timer where the state begins.
 */
enum RequestState {

    /** The body arrives and is parsed; the body deadline runs. */
    READING,
    /**
     * Paused by us while Kafka is over its high-water mark; the Kafka deadline runs, the body deadline is suspended
     * (the client is not slow: we are not reading).
     */
    PAUSED_FOR_KAFKA,
    /** Paused by us while the token is over its rate (a timer until its debt is paid); the body deadline is suspended. */
    PAUSED_FOR_RATE,
    /** Framing broke: the rest of the body is read and dropped, so the connection stays usable; the body deadline runs. */
    DISCARDING,
    /** Nothing more is read; the answer waits for the last acknowledgement; the Kafka deadline runs if any is owed. */
    AWAITING_ACKS,
    /** Answered. Terminal. */
    ANSWERED,
    /** The client went away; nothing is owed to it. Terminal. */
    GONE;

    /** What can happen to a request. */
    enum Event {
        /** Kafka's in-flight bytes are over the high-water mark. */
        OVER_HIGH_WATER,
        /** ... and back under the low-water mark. */
        DRAINED,
        /** The token is in debt of its rate: reads wait. */
        OVER_RATE,
        /** ... and its debt is paid. */
        RATE_REFILLED,
        /** The decoder (or gzip) found the body's framing broken. */
        FRAMING_BROKEN,
        /** The client sent the end of the body. */
        BODY_ENDED,
        /** More than the body limit arrived: reading stops, 413 (or the framing verdict). */
        BODY_TOO_LARGE,
        /** The body deadline passed: reading stops, 408. */
        BODY_TIMED_OUT,
        /** The token was revoked (as this instance learnt) while the body was read: 401 with the verdict. */
        TOKEN_REVOKED,
        /** The HTTP framing of the body broke (a bad chunk): nothing more can be read, 400 with the verdict. */
        HTTP_FRAMING_BROKEN,
        /** Every published record is acknowledged, after the body was done. */
        ALL_ACKED,
        /** Kafka refused, failed or did not acknowledge in time: 503 at once. */
        KAFKA_FAILED,
        /** The connection broke. */
        CONNECTION_LOST
    }

    boolean terminal() {
        return this == ANSWERED || this == GONE;
    }

    /**
     * The state after {@code event}; the same state when the event changes nothing here (late acknowledgements,
     * timers or body bytes once answered, the end of a body we stopped reading).
     *
     * @throws IllegalStateException for an event that cannot happen in this state (a bug)
     */
    RequestState on(Event event) {
        if (terminal()) {
            return this;
        }
        if (event == Event.CONNECTION_LOST) {
            return GONE;
        }
        if (event == Event.KAFKA_FAILED) {
            return ANSWERED;
        }
        RequestState next = switch (this) {
            case READING -> switch (event) {
                case OVER_HIGH_WATER -> PAUSED_FOR_KAFKA;
                case OVER_RATE -> PAUSED_FOR_RATE;
                case FRAMING_BROKEN -> DISCARDING;
                case BODY_ENDED, BODY_TOO_LARGE, BODY_TIMED_OUT, HTTP_FRAMING_BROKEN, TOKEN_REVOKED -> AWAITING_ACKS;
                default -> null;
            };
            case PAUSED_FOR_KAFKA -> switch (event) {
                case DRAINED -> READING;
                case HTTP_FRAMING_BROKEN -> AWAITING_ACKS;
                default -> null;
            };
            case PAUSED_FOR_RATE -> switch (event) {
                case RATE_REFILLED -> READING;
                case HTTP_FRAMING_BROKEN -> AWAITING_ACKS;
                default -> null;
            };
            case DISCARDING -> switch (event) {
                case BODY_ENDED, BODY_TOO_LARGE, BODY_TIMED_OUT, HTTP_FRAMING_BROKEN -> AWAITING_ACKS;
                default -> null;
            };
            case AWAITING_ACKS -> switch (event) {
                case ALL_ACKED -> ANSWERED;
                // the client finished a body we had stopped reading; or its framing broke meanwhile; or the
                // drain signal of a pause that ended otherwise
                case BODY_ENDED, HTTP_FRAMING_BROKEN, DRAINED -> AWAITING_ACKS;
                default -> null;
            };
            default -> null;
        };
        if (next == null) {
            throw new IllegalStateException(event + " cannot happen in " + this);
        }
        return next;
    }
}
