package io.addonlogs.service.kafka;

import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * What a {@link SupervisedLoop} does with an error its body threw, following Kafka's own
 * {@code examples/.../Consumer.java} (authorization, unsupported version and deserialization end the consumer; an
 * invalid offset is re-seeked; anything else unhandled ends it), adapted to a loop that can start over with a fresh
 * consumer:
 *
 * <ul>
 *   <li>{@link Kind#RETRY}: {@link RetriableException} and its kin (timeouts, disconnects, a leader moving, a topic
 *   unknown for now), {@link InvalidOffsetException} (the body seeks again from what it has applied), and any other
 *   {@link KafkaException}: the client reports trouble it could not sort out itself (its network layer, a broker's
 *   unexpected answer), which a fresh consumer started after a back-off sorts out, and a process restart would not
 *   do any better.</li>
 *   <li>{@link Kind#FATAL}: {@link AuthenticationException} and {@link AuthorizationException} (the credentials or
 *   the ACLs are wrong: retrying only hammers the broker; an operator must act), {@link InvalidTopicException} and
 *   {@link UnsupportedVersionException} (configuration or broker version), {@link RecordDeserializationException}
 *   (a record this loop cannot read would be read again after every restart); and every non-Kafka exception or
 *   error: {@link IllegalStateException} and {@link IllegalArgumentException} from the client mean our code used it
 *   wrongly (not assigned, already closed, used from two threads), and a bug in the body repeats after any restart
 *   of the loop. Fatal stops the loop and makes the process not live: the orchestrator restarts it, with fresh
 *   state, and an operator sees the restarts.</li>
 * </ul>
 */
public final class LoopErrors {

    /** Whether the loop starts again or stops for good. */
    public enum Kind { RETRY, FATAL }

    private LoopErrors() {
    }

    public static Kind classify(Throwable error) {
        if (error instanceof AuthenticationException || error instanceof AuthorizationException
                || error instanceof InvalidTopicException || error instanceof UnsupportedVersionException
                || error instanceof RecordDeserializationException) {
            return Kind.FATAL;
        }
        if (error instanceof RetriableException || error instanceof InvalidOffsetException
                || error instanceof KafkaException) {
            return Kind.RETRY;
        }
        return Kind.FATAL;
    }
}
