package io.addonlogs.common.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import io.addonlogs.common.frame.FramingError;
import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.syslog.Rfc5424Header;

/**
 * Coverage-guided fuzzing (Jazzer) of what ingest runs on untrusted bytes: the octet-frame decoder fed in
 * fuzzer-chosen chunk sizes, and the RFC 5424 header parser on every frame. No exception may escape either API,
 * a rejection always names its field, and each input finishes (Jazzer reports an input that hangs). In
 * {@code mvn verify} it fuzzes for {@code maxDuration}; the long run is in docs/reliability.md.
 */
class FrameAndHeaderFuzzTest {

    private static final int MAX_FRAME = 4096;

    @FuzzTest(maxDuration = "20s")
    void decoderAndParserNeverThrowAndAlwaysExplainARejection(FuzzedDataProvider data) {
        Rfc5424Header header = new Rfc5424Header();
        byte[] token = data.consumeBytes(data.consumeInt(0, 48));
        long[] frames = {0};
        OctetFrameDecoder decoder = new OctetFrameDecoder(MAX_FRAME, (buf, offset, length, index, bodyOffset) -> {
            assertTrue(length >= 0 && length <= MAX_FRAME && offset >= 0 && offset + length <= buf.length);
            frames[0]++;
            if (!header.parse(buf, offset, length)) {
                assertTrue(header.rejection() != null && header.rejection().field() != null
                        && !header.rejection().message().isEmpty());
            } else {
                header.appNameEquals(token);
            }
        });
        while (data.remainingBytes() > 0) {
            byte[] chunk = data.consumeBytes(data.consumeInt(1, 512));
            int offset = chunk.length == 0 ? 0 : data.consumeInt(0, chunk.length - 1);
            if (!decoder.feed(chunk, offset, chunk.length - offset)) {
                break;
            }
        }
        if (decoder.error() == null) {
            decoder.finish();
        }
        FramingError error = decoder.error();
        assertTrue(error == null || (error.offset() >= 0 && !error.reason().isEmpty()));
    }
}
