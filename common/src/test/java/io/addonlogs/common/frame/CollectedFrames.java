package io.addonlogs.common.frame;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Feeds a body to a decoder in given pieces and keeps what came out. */
final class CollectedFrames implements FrameHandler {

    final List<byte[]> frames = new ArrayList<>();
    final List<Long> offsets = new ArrayList<>();
    final OctetFrameDecoder decoder;
    boolean ok;

    private CollectedFrames(int maxFrameBytes) {
        this.decoder = new OctetFrameDecoder(maxFrameBytes, this);
    }

    @Override
    public void onFrame(byte[] buf, int offset, int length, int index, long bodyOffset) {
        if (index != frames.size()) {
            throw new AssertionError("frame index " + index + " after " + frames.size() + " frames");
        }
        frames.add(Arrays.copyOfRange(buf, offset, offset + length));
        offsets.add(bodyOffset);
    }

    /** Splits {@code body} at the given cut points (ascending) and feeds the pieces, then finishes. */
    static CollectedFrames decode(byte[] body, int maxFrameBytes, int... cuts) {
        CollectedFrames out = new CollectedFrames(maxFrameBytes);
        int from = 0;
        out.ok = true;
        for (int cut : cuts) {
            out.ok = out.decoder.feed(body, from, cut - from);
            from = cut;
            if (!out.ok) {
                return out;
            }
        }
        out.ok = out.decoder.feed(body, from, body.length - from) && out.decoder.finish();
        return out;
    }

    List<String> strings() {
        List<String> out = new ArrayList<>();
        for (byte[] frame : frames) {
            out.add(new String(frame, StandardCharsets.UTF_8));
        }
        return out;
    }
}
