package io.addonlogs.common.frame;

import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental decoder for octet-counted syslog frames (RFC 6587 section 3.4.1): {@code LEN SP MSG} back to back,
 * LEN being the decimal byte length of MSG without leading zeros. A bare LF or CRLF between frames is tolerated.
 *
 * <p>Fed chunks of any size, it hands each frame to the {@link FrameHandler} as soon as the frame's last byte
 * arrives. A frame wholly inside one chunk is handed over in place, without copying; only a frame split across
 * chunks is assembled in a buffer that grows with the bytes received (at most twice them, and never beyond the
 * frame's length), so the decoder holds at most one partial frame, never more than {@code maxFrameBytes}, and a
 * declared LEN alone costs nothing ({@link #heldBytes()}).
 *
 * <p>The first framing error (a bad LEN, a missing space, a frame over the limit, or a partial frame at
 * {@link #finish()}) stops decoding: {@link #error()} tells where and why, and later input is ignored.
 * Not thread-safe; one decoder per body.
 */
public final class OctetFrameDecoder {

    /** LEN has at most this many digits before it must exceed any int limit; bounds the work on digit floods. */
    private static final int MAX_LEN_DIGITS = 10;
    /** The smallest buffer for a partial frame: growing a few bytes at a time would copy too often. */
    private static final int MIN_PARTIAL = 256;

    private enum State { BETWEEN, AFTER_CR, LEN, MSG, FAILED }

    private final int maxFrameBytes;
    private final FrameHandler handler;

    private State state = State.BETWEEN;
    private long position;          // bytes consumed so far in the body
    private long frameStart;        // body offset of the current frame's LEN
    private long frameLength;       // LEN being read, then MSG length
    private int lenDigits;
    private byte[] partial;         // the frame being assembled across chunks
    private int partialFilled;
    private int frames;
    private FramingError error;

    public OctetFrameDecoder(int maxFrameBytes, FrameHandler handler) {
        if (maxFrameBytes < 1) {
            throw new IllegalArgumentException("maxFrameBytes must be positive: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.handler = Objects.requireNonNull(handler);
    }

    public boolean feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /**
     * Decodes the next {@code length} bytes of the body. Returns {@code false} once framing is broken (then
     * {@link #error()} says why); the caller should stop feeding.
     */
    public boolean feed(byte[] chunk, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, chunk.length);
        int i = offset;
        int end = offset + length;
        while (i < end && state != State.FAILED) {
            switch (state) {
                case BETWEEN -> i = between(chunk, i);
                case AFTER_CR -> i = afterCr(chunk, i);
                case LEN -> i = len(chunk, i, end);
                case MSG -> i = msg(chunk, i, end);
                default -> throw new IllegalStateException(state.name());
            }
        }
        return state != State.FAILED;
    }

    /**
     * Marks the end of the body. Returns {@code false} if it ends inside a frame (a truncated frame is an error,
     * never silently dropped) or framing had already broken.
     */
    public boolean finish() {
        switch (state) {
            case LEN -> fail(frameStart, "truncated frame: body ends inside LEN");
            case MSG -> fail(frameStart, "truncated frame: LEN is " + frameLength + " but only "
                    + (position - frameStart - lenDigits - 1) + " bytes follow");
            case AFTER_CR -> fail(position - 1, "CR at end of body is not followed by LF");
            default -> {
                // BETWEEN: clean end; FAILED: error already set
            }
        }
        return state != State.FAILED;
    }

    /** The framing error, or {@code null} while framing is intact. */
    public FramingError error() {
        return error;
    }

    /** Frames handed to the handler so far. */
    public int frames() {
        return frames;
    }

    /** Bytes the decoder holds for the frame being assembled across chunks (0 between frames). */
    public int heldBytes() {
        return partial == null ? 0 : partial.length;
    }

    /** Bytes of the body consumed so far. */
    public long position() {
        return position;
    }

    private int between(byte[] chunk, int i) {
        byte b = chunk[i];
        if (b >= '1' && b <= '9') {
            state = State.LEN;
            frameStart = position;
            frameLength = b - '0';
            lenDigits = 1;
        } else if (b == '\n') {
            // tolerated separator
        } else if (b == '\r') {
            state = State.AFTER_CR;
        } else if (b == '0') {
            return fail(position, "frame length must not start with 0");
        } else {
            return fail(position, "expected a frame length (digit 1-9), found " + describe(b));
        }
        position++;
        return i + 1;
    }

    private int afterCr(byte[] chunk, int i) {
        if (chunk[i] != '\n') {
            return fail(position - 1, "CR between frames is not followed by LF");
        }
        state = State.BETWEEN;
        position++;
        return i + 1;
    }

    private int len(byte[] chunk, int i, int end) {
        while (i < end) {
            byte b = chunk[i];
            if (b >= '0' && b <= '9') {
                frameLength = frameLength * 10 + (b - '0');
                lenDigits++;
                if (frameLength > maxFrameBytes || lenDigits > MAX_LEN_DIGITS) {
                    return fail(frameStart, "frame length exceeds the limit of " + maxFrameBytes + " bytes");
                }
                position++;
                i++;
            } else if (b == ' ') {
                position++;
                state = State.MSG;
                partial = null;
                partialFilled = 0;
                return i + 1;
            } else {
                return fail(position, "expected a digit or a space after the frame length, found " + describe(b));
            }
        }
        return i;
    }

    private int msg(byte[] chunk, int i, int end) {
        int available = end - i;
        int size = (int) frameLength;
        if (partial == null && available >= size) {
            position += size;
            emit(chunk, i, size);
            return i + size;
        }
        int n = Math.min(size - partialFilled, available);
        reserve(partialFilled + n, size);
        System.arraycopy(chunk, i, partial, partialFilled, n);
        partialFilled += n;
        position += n;
        if (partialFilled == size) {
            byte[] frame = partial;
            partial = null;
            emit(frame, 0, size);
        }
        return i + n;
    }

    /**
     * Makes room for {@code needed} bytes of a frame of {@code size}: the buffer grows with what arrived (doubling,
     * at most to the frame's size), never from the declared LEN alone, so a client announcing big frames and
     * sending little costs little.
     */
    private void reserve(int needed, int size) {
        int capacity = partial == null ? 0 : partial.length;
        if (needed <= capacity) {
            return;
        }
        int grown = (int) Math.min(size, Math.max(needed, Math.max(MIN_PARTIAL, 2L * capacity)));
        partial = partial == null ? new byte[grown] : Arrays.copyOf(partial, grown);
    }

    private void emit(byte[] buf, int offset, int length) {
        state = State.BETWEEN;
        int index = frames++;
        handler.onFrame(buf, offset, length, index, frameStart);
    }

    private int fail(long offset, String reason) {
        state = State.FAILED;
        partial = null;
        error = new FramingError(offset, reason);
        return Integer.MAX_VALUE;
    }

    private static String describe(byte b) {
        int v = b & 0xff;
        if (v >= 0x21 && v < 0x7f) {
            return "'" + (char) v + "'";
        }
        return String.format("byte 0x%02x", v);
    }
}
