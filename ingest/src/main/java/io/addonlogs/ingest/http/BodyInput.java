package io.addonlogs.ingest.http;

import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.gzip.GzipDecoder;

/**
 * Turns received chunks into decoder input a slice at a time, so the request can stop between two slices when
 * Kafka is behind: for a plain body a slice is a view of the chunk, for gzip it is what one inflate call wrote
 * into a fixed buffer. Either way at most {@link #SLICE} bytes of frames are produced before the caller looks at
 * back-pressure again.
 */
abstract class BodyInput implements AutoCloseable {

    static final int SLICE = 16 * 1024;

    static BodyInput plain() {
        return new Plain();
    }

    static BodyInput gzip() {
        return new Gzip();
    }

    /**
     * A new chunk as received, {@code length} bytes of {@code array} from {@code offset} (read in place: the caller
     * leaves them unchanged until they are used up); the previous one must have been used up.
     */
    abstract void input(byte[] array, int offset, int length);

    /** Feeds the next slice to the decoder; returns false (feeding nothing) when the chunk is used up. */
    abstract boolean feedNext(OctetFrameDecoder decoder);

    /** At end of body: throws {@link io.addonlogs.common.gzip.GzipFormatException} if gzip was cut short. */
    void finish() {
    }

    @Override
    public void close() {
    }

    private static final class Plain extends BodyInput {
        private byte[] chunk;
        private int offset;
        private int end;

        @Override
        void input(byte[] array, int from, int length) {
            chunk = array;
            offset = from;
            end = from + length;
        }

        @Override
        boolean feedNext(OctetFrameDecoder decoder) {
            if (offset >= end) {
                return false;
            }
            int n = Math.min(SLICE, end - offset);
            decoder.feed(chunk, offset, n);
            offset += n;
            return true;
        }
    }

    private static final class Gzip extends BodyInput {
        private final GzipDecoder gunzip = new GzipDecoder();
        private final byte[] out = new byte[SLICE];

        @Override
        void input(byte[] array, int offset, int length) {
            gunzip.setInput(array, offset, length);
        }

        @Override
        boolean feedNext(OctetFrameDecoder decoder) {
            int n = gunzip.inflate(out, 0, out.length);
            if (n == 0) {
                return false;
            }
            decoder.feed(out, 0, n);
            return true;
        }

        @Override
        void finish() {
            gunzip.finish();
        }

        @Override
        public void close() {
            gunzip.close();
        }
    }
}
