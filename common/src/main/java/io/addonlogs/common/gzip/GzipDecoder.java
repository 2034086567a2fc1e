package io.addonlogs.common.gzip;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Push-style gzip (RFC 1952) decoder for bodies that arrive in chunks: {@link #setInput} a chunk, then call
 * {@link #inflate} until it returns 0, each call writing at most the caller's buffer. The caller thus decides how
 * much inflated data exists at once, which is what bounds memory against a gzip bomb. Several members back to back
 * are accepted (as {@code gzip -c a b} makes them); each member's CRC-32 and length are checked.
 *
 * <p>Not thread-safe. {@link #close()} frees the native inflater.
 */
public final class GzipDecoder implements AutoCloseable {

    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private enum State { HEADER, EXTRA_LEN, EXTRA, NAME, COMMENT, HEADER_CRC, DEFLATE, TRAILER, MEMBER_END }

    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] fixed = new byte[10];
    private State state = State.HEADER;
    private int fieldFilled;
    private int flags;
    private int extraRemaining;
    private long memberSize;
    private int members;

    private byte[] input = new byte[0];
    private int inOff;
    private int inEnd;

    /** Gives the next chunk of compressed bytes; the previous one must have been used up ({@link #inflate} returned 0). */
    public void setInput(byte[] chunk, int offset, int length) {
        input = chunk;
        inOff = offset;
        inEnd = offset + length;
    }

    /**
     * Inflates into {@code out[offset, offset + length)}; returns the bytes written, 0 once the current input is used
     * up. Throws {@link GzipFormatException} on anything that is not valid gzip.
     */
    public int inflate(byte[] out, int offset, int length) {
        while (true) {
            if (state == State.DEFLATE) {
                int n = inflateSome(out, offset, length);
                if (n > 0 || state == State.DEFLATE) {
                    return n;
                }
            } else if (inOff >= inEnd) {
                return 0;
            } else {
                step();
            }
        }
    }

    /** Checks that the body ended at the end of a member. */
    public void finish() {
        if (state != State.MEMBER_END || inOff < inEnd) {
            throw new GzipFormatException(members == 0 && state == State.HEADER && fieldFilled == 0
                    ? "empty gzip body" : "gzip body is truncated");
        }
    }

    @Override
    public void close() {
        inflater.end();
    }

    private int inflateSome(byte[] out, int offset, int length) {
        if (inflater.needsInput()) {
            if (inOff >= inEnd) {
                return 0;
            }
            inflater.setInput(input, inOff, inEnd - inOff);
            inOff = inEnd;
        }
        int n;
        try {
            // 0 bytes out with input left means only block headers were read: go on until output or need
            do {
                n = inflater.inflate(out, offset, length);
            } while (n == 0 && !inflater.finished() && !inflater.needsInput() && !inflater.needsDictionary());
        } catch (DataFormatException e) {
            throw new GzipFormatException("invalid deflate data: " + e.getMessage());
        }
        if (inflater.needsDictionary()) {
            throw new GzipFormatException("deflate data needs a preset dictionary");
        }
        crc.update(out, offset, n);
        memberSize += n;
        if (inflater.finished()) {
            inOff = inEnd - inflater.getRemaining();
            state = State.TRAILER;
            fieldFilled = 0;
        }
        return n;
    }

    private void step() {
        int b = input[inOff++] & 0xff;
        switch (state) {
            case HEADER, TRAILER -> {
                fixed[fieldFilled++] = (byte) b;
                if (state == State.HEADER && fieldFilled == 10) {
                    headerDone();
                } else if (state == State.TRAILER && fieldFilled == 8) {
                    trailerDone();
                }
            }
            case EXTRA_LEN -> {
                extraRemaining |= b << (8 * fieldFilled++);
                if (fieldFilled == 2) {
                    state = State.EXTRA;
                    afterOptional(FEXTRA, extraRemaining == 0);
                }
            }
            case EXTRA -> afterOptional(FEXTRA, --extraRemaining == 0);
            case NAME -> afterOptional(FNAME, b == 0);
            case COMMENT -> afterOptional(FCOMMENT, b == 0);
            case HEADER_CRC -> afterOptional(FHCRC, ++fieldFilled == 2);
            case MEMBER_END -> {
                inOff--;
                state = State.HEADER;
                fieldFilled = 0;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void headerDone() {
        if ((fixed[0] & 0xff) != 0x1f || (fixed[1] & 0xff) != 0x8b) {
            throw new GzipFormatException("not gzip data (bad magic bytes)");
        }
        if (fixed[2] != 8) {
            throw new GzipFormatException("unsupported gzip compression method " + fixed[2]);
        }
        flags = fixed[3] & 0xff;
        if ((flags & 0xe0) != 0) {
            throw new GzipFormatException("reserved gzip header flags set");
        }
        inflater.reset();
        crc.reset();
        memberSize = 0;
        afterOptional(0, true);
    }

    /** Moves past the optional header field {@code done} (when finished) to the next one present, or to DEFLATE. */
    private void afterOptional(int field, boolean finished) {
        if (!finished) {
            return;
        }
        flags &= ~field;
        fieldFilled = 0;
        if ((flags & FEXTRA) != 0 && state != State.EXTRA) {
            state = State.EXTRA_LEN;
            extraRemaining = 0;
        } else if ((flags & FNAME) != 0) {
            state = State.NAME;
        } else if ((flags & FCOMMENT) != 0) {
            state = State.COMMENT;
        } else if ((flags & FHCRC) != 0) {
            state = State.HEADER_CRC;
        } else {
            state = State.DEFLATE;
        }
    }

    private void trailerDone() {
        long expectedCrc = le32(0);
        long expectedSize = le32(4);
        if (expectedCrc != crc.getValue()) {
            throw new GzipFormatException("gzip CRC-32 mismatch");
        }
        if (expectedSize != (memberSize & 0xffffffffL)) {
            throw new GzipFormatException("gzip length mismatch");
        }
        members++;
        state = State.MEMBER_END;
        fieldFilled = 0;
    }

    private long le32(int at) {
        return (fixed[at] & 0xffL) | (fixed[at + 1] & 0xffL) << 8 | (fixed[at + 2] & 0xffL) << 16
                | (fixed[at + 3] & 0xffL) << 24;
    }
}
