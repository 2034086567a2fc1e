package io.addonlogs.common.frame;

/** Receives each complete frame from an {@link OctetFrameDecoder}. */
@FunctionalInterface
public interface FrameHandler {

    /**
     * One complete frame. {@code buf[offset, offset + length)} holds MSG exactly as received; the array belongs to
     * the decoder and may be reused after this call returns, so copy what must outlive it.
     *
     * @param index      0-based position of the frame in the body
     * @param bodyOffset byte offset in the body where the frame's LEN starts
     */
    void onFrame(byte[] buf, int offset, int length, int index, long bodyOffset);
}
