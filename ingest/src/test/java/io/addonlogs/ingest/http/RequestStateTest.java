package io.addonlogs.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import io.addonlogs.ingest.http.RequestState.Event;

/** Every (state, event) pair of a request's life: where it leads, stays, or that it cannot happen. */
class RequestStateTest {

    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource({
            // reading: the body arrives
            "READING, OVER_HIGH_WATER, PAUSED_FOR_KAFKA",
            "READING, OVER_RATE, PAUSED_FOR_RATE",
            "READING, FRAMING_BROKEN, DISCARDING",
            "READING, BODY_ENDED, AWAITING_ACKS",
            "READING, BODY_TOO_LARGE, AWAITING_ACKS",
            "READING, BODY_TIMED_OUT, AWAITING_ACKS",
            "READING, HTTP_FRAMING_BROKEN, AWAITING_ACKS",
            "READING, TOKEN_REVOKED, AWAITING_ACKS",
            "READING, KAFKA_FAILED, ANSWERED",
            "READING, CONNECTION_LOST, GONE",
            // paused by us while Kafka is behind
            "PAUSED_FOR_KAFKA, DRAINED, READING",
            "PAUSED_FOR_KAFKA, HTTP_FRAMING_BROKEN, AWAITING_ACKS",
            "PAUSED_FOR_KAFKA, KAFKA_FAILED, ANSWERED",
            "PAUSED_FOR_KAFKA, CONNECTION_LOST, GONE",
            // paused by us while the token is over its rate
            "PAUSED_FOR_RATE, RATE_REFILLED, READING",
            "PAUSED_FOR_RATE, HTTP_FRAMING_BROKEN, AWAITING_ACKS",
            "PAUSED_FOR_RATE, KAFKA_FAILED, ANSWERED",
            "PAUSED_FOR_RATE, CONNECTION_LOST, GONE",
            // dropping the rest of a body whose framing broke
            "DISCARDING, BODY_ENDED, AWAITING_ACKS",
            "DISCARDING, BODY_TOO_LARGE, AWAITING_ACKS",
            "DISCARDING, BODY_TIMED_OUT, AWAITING_ACKS",
            "DISCARDING, HTTP_FRAMING_BROKEN, AWAITING_ACKS",
            "DISCARDING, KAFKA_FAILED, ANSWERED",
            "DISCARDING, CONNECTION_LOST, GONE",
            // waiting for the last acknowledgements
            "AWAITING_ACKS, ALL_ACKED, ANSWERED",
            "AWAITING_ACKS, BODY_ENDED, AWAITING_ACKS",
            "AWAITING_ACKS, HTTP_FRAMING_BROKEN, AWAITING_ACKS",
            "AWAITING_ACKS, DRAINED, AWAITING_ACKS",
            "AWAITING_ACKS, KAFKA_FAILED, ANSWERED",
            "AWAITING_ACKS, CONNECTION_LOST, GONE",
    })
    void transition(RequestState from, Event event, RequestState to) {
        assertEquals(to, from.on(event));
    }

    /** The pairs listed above are the only possible ones: anything else in a live state is a bug, and says so. */
    @Test
    void everyOtherEventInALiveStateIsRefused() {
        Map<RequestState, Event[]> possible = new EnumMap<>(RequestState.class);
        possible.put(RequestState.READING, new Event[] {Event.OVER_HIGH_WATER, Event.OVER_RATE, Event.FRAMING_BROKEN,
            Event.BODY_ENDED, Event.BODY_TOO_LARGE, Event.BODY_TIMED_OUT, Event.HTTP_FRAMING_BROKEN, Event.TOKEN_REVOKED,
            Event.KAFKA_FAILED, Event.CONNECTION_LOST});
        possible.put(RequestState.PAUSED_FOR_KAFKA, new Event[] {Event.DRAINED, Event.HTTP_FRAMING_BROKEN,
            Event.KAFKA_FAILED, Event.CONNECTION_LOST});
        possible.put(RequestState.PAUSED_FOR_RATE, new Event[] {Event.RATE_REFILLED, Event.HTTP_FRAMING_BROKEN,
            Event.KAFKA_FAILED, Event.CONNECTION_LOST});
        possible.put(RequestState.DISCARDING, new Event[] {Event.BODY_ENDED, Event.BODY_TOO_LARGE,
            Event.BODY_TIMED_OUT, Event.HTTP_FRAMING_BROKEN, Event.KAFKA_FAILED, Event.CONNECTION_LOST});
        possible.put(RequestState.AWAITING_ACKS, new Event[] {Event.ALL_ACKED, Event.BODY_ENDED,
            Event.HTTP_FRAMING_BROKEN, Event.DRAINED, Event.KAFKA_FAILED, Event.CONNECTION_LOST});
        int refused = 0;
        for (Map.Entry<RequestState, Event[]> entry : possible.entrySet()) {
            for (Event event : Event.values()) {
                if (!java.util.List.of(entry.getValue()).contains(event)) {
                    RequestState state = entry.getKey();
                    IllegalStateException e = assertThrows(IllegalStateException.class, () -> state.on(event),
                            state + " + " + event);
                    assertEquals(event + " cannot happen in " + state, e.getMessage());
                    refused++;
                }
            }
        }
        assertEquals(5 * Event.values().length - 30, refused, "30 possible pairs, as listed in transition()");
    }

    @ParameterizedTest
    @EnumSource(value = RequestState.class, names = {"ANSWERED", "GONE"})
    void terminalStatesIgnoreEverything(RequestState terminal) {
        for (Event event : Event.values()) {
            assertEquals(terminal, terminal.on(event), event.name());
        }
    }
}
