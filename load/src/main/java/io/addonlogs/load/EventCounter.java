package io.addonlogs.load;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Counts the {@code RESOURCE_LOG} events of an SSE stream without decoding them: the lines that start with
 * {@code id:} (only those events carry an id; heartbeats, {@code HIDDEN} and {@code END_OF_STREAM} do not, and a
 * {@code data:} line cannot hold a raw newline). It reads the bytes as they come, whatever the chunks' boundaries, so
 * a viewer costs the load tool a search for each line's end, not a parse: at a million events per second, parsing
 * every one on the consumer's own cores would measure the tool more than the consumer.
 */
final class EventCounter {

    /** Where the scan is in the current line: at its start, after "i", after "id", or past what matters. */
    private enum State { LINE_START, I, ID, REST }

    private State state = State.LINE_START;

    /** The events whose {@code id:} line starts in or ends in {@code chunk}. */
    int count(Buffer chunk) {
        ByteBuf bytes = ((BufferInternal) chunk).unwrap();
        int events = 0;
        int end = chunk.length(); // a Buffer's bytes are [0, length) of its ByteBuf, as getByte reads them
        for (int i = 0; i < end; ) {
            if (state == State.REST) { // most of the bytes: jump to the line's end (Netty's word-at-a-time search)
                int newline = bytes.indexOf(i, end, (byte) '\n');
                if (newline < 0) {
                    break;
                }
                state = State.LINE_START;
                i = newline + 1;
                continue;
            }
            byte b = bytes.getByte(i++);
            if (b == '\n') {
                state = State.LINE_START;
                continue;
            }
            switch (state) {
                case LINE_START -> state = b == 'i' ? State.I : State.REST;
                case I -> state = b == 'd' ? State.ID : State.REST;
                case ID -> {
                    if (b == ':') {
                        events++;
                    }
                    state = State.REST;
                }
                default -> {
                }
            }
        }
        return events;
    }
}
