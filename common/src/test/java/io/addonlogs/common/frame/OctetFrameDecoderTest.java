package io.addonlogs.common.frame;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OctetFrameDecoderTest {

    static final String SEED_LINE_1 = "<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo";
    static final String SEED_LINE_2 = "<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - bar";
    static final String SEED_BODY = "72 " + SEED_LINE_1 + "72 " + SEED_LINE_2;
    static final int MAX = 64 * 1024;

    @Test
    void seedExampleIsTwoFramesOf72BytesIn150() {
        byte[] body = SEED_BODY.getBytes(UTF_8);
        assertEquals(150, body.length, "the seed's Content-Length");
        CollectedFrames out = CollectedFrames.decode(body, MAX);
        assertTrue(out.ok);
        assertEquals(List.of(SEED_LINE_1, SEED_LINE_2), out.strings());
        assertEquals(List.of(0L, 75L), out.offsets);
        assertEquals(2, out.decoder.frames());
    }

    @Test
    void lengthCountsBytesNotCharacters() {
        String msg = "<14>1 - h t p - - héllo wörld ☃ 😀";
        int bytes = msg.getBytes(UTF_8).length;
        assertTrue(bytes > msg.length());
        byte[] body = (bytes + " " + msg + bytes + " " + msg).getBytes(UTF_8);
        assertEveryWayOfSplitting(body, List.of(msg, msg));
    }

    @Test
    void messageMayContainNewlinesAndTheTrailingNewlineIsCounted() {
        String msg = "<14>1 - h t p - - line one\nline two\r\n";
        byte[] body = (frame(msg) + frame("<14>1 - h t p - - next")).getBytes(UTF_8);
        assertEveryWayOfSplitting(body, List.of(msg, "<14>1 - h t p - - next"));
    }

    @Test
    void bareLfAndCrlfBetweenFramesAreTolerated() {
        byte[] body = ("\n" + frame("a") + "\n" + frame("bb") + "\r\n" + frame("ccc") + "\r\n\n").getBytes(UTF_8);
        assertEveryWayOfSplitting(body, List.of("a", "bb", "ccc"));
    }

    @Test
    void emptyBodyHasNoFrames() {
        CollectedFrames out = CollectedFrames.decode(new byte[0], MAX);
        assertTrue(out.ok);
        assertEquals(0, out.frames.size());
    }

    @Test
    void frameWithinOneChunkIsHandedOverWithoutCopying() {
        byte[] body = frame("hello").getBytes(UTF_8);
        List<byte[]> seen = new ArrayList<>();
        OctetFrameDecoder decoder = new OctetFrameDecoder(MAX, (buf, off, len, i, at) -> seen.add(buf));
        assertTrue(decoder.feed(body, 0, body.length));
        assertSame(body, seen.get(0));
    }

    @Test
    void largeFrameFedInSmallChunksIsAssembledExactly() {
        byte[] msg = new byte[1_000_000];
        new Random(42).nextBytes(msg);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes((msg.length + " ").getBytes(UTF_8));
        body.writeBytes(msg);
        body.writeBytes(frame("tail").getBytes(UTF_8));
        byte[] bytes = body.toByteArray();

        for (int chunk : new int[] {1, 7, 8192, 65536, bytes.length}) {
            CollectedFrames out = new ChunkFeeder(chunk).feed(bytes, 2_000_000);
            assertTrue(out.ok, "chunk " + chunk);
            assertEquals(2, out.frames.size());
            assertArrayEquals(msg, out.frames.get(0));
            assertEquals("tail", new String(out.frames.get(1), UTF_8));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            leading zero            | 05 hello                  | 0  | frame length must not start with 0
            zero length             | 0 x                       | 0  | frame length must not start with 0
            missing space           | 5hello                    | 1  | expected a digit or a space after the frame length, found 'h'
            letter instead of LEN   | x5 hello                  | 0  | expected a frame length (digit 1-9), found 'x'
            space before LEN        | ' 5 hello'                | 0  | expected a frame length (digit 1-9), found byte 0x20
            second frame bad LEN    | 1 a-3 abc                 | 3  | expected a frame length (digit 1-9), found '-'
            LEN beyond max          | 101 x                     | 0  | frame length exceeds the limit of 100 bytes
            huge digit string       | 99999999999999999999 x    | 0  | frame length exceeds the limit of 100 bytes
            truncated final frame   | 1 a10 short               | 3  | truncated frame: LEN is 10 but only 5 bytes follow
            body ends inside LEN    | 1 a12                     | 3  | truncated frame: body ends inside LEN
            CR without LF           | 1 a\rX                    | 3  | CR between frames is not followed by LF
            """)
    void brokenFramingStopsWithOffsetAndReason(String name, String body, long offset, String reason) {
        byte[] bytes = body.replace("\\r", "\r").getBytes(UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            CollectedFrames out = CollectedFrames.decode(bytes, 100, cut);
            assertFalse(out.ok, name + " split at " + cut);
            assertEquals(new FramingError(offset, reason), out.decoder.error(), name + " split at " + cut);
        }
    }

    @Test
    void framesBeforeTheBreakAreDeliveredAndNothingAfter() {
        byte[] body = (frame("one") + frame("two") + "x" + frame("three")).getBytes(UTF_8);
        CollectedFrames out = CollectedFrames.decode(body, MAX);
        assertFalse(out.ok);
        assertEquals(List.of("one", "two"), out.strings());
        assertEquals(10, out.decoder.error().offset());
        assertFalse(out.decoder.feed(frame("four").getBytes(UTF_8)), "input after an error is ignored");
        assertEquals(2, out.frames.size());
    }

    @Test
    void cleanBodyHasNoError() {
        CollectedFrames out = CollectedFrames.decode(frame("x").getBytes(UTF_8), MAX);
        assertTrue(out.ok);
        assertNull(out.decoder.error());
        assertEquals(3, out.decoder.position());
    }

    /** Every single cut point and, for short bodies, every pair of cut points, plus byte-by-byte. */
    static void assertEveryWayOfSplitting(byte[] body, List<String> expected) {
        for (int a = 0; a <= body.length; a++) {
            assertFrames(expected, CollectedFrames.decode(body, MAX, a), "cut at " + a);
            if (body.length <= 200) {
                for (int b = a; b <= body.length; b++) {
                    assertFrames(expected, CollectedFrames.decode(body, MAX, a, b), "cuts at " + a + "," + b);
                }
            }
        }
        assertFrames(expected, new ChunkFeeder(1).feed(body, MAX), "byte by byte");
    }

    private static void assertFrames(List<String> expected, CollectedFrames out, String how) {
        assertTrue(out.ok, how + ": " + out.decoder.error());
        assertEquals(expected, out.strings(), how);
    }

    static String frame(String msg) {
        return msg.getBytes(UTF_8).length + " " + msg;
    }

    /** Feeds fixed-size chunks. */
    record ChunkFeeder(int chunk) {
        CollectedFrames feed(byte[] body, int max) {
            int n = (body.length + chunk - 1) / chunk;
            int[] cuts = new int[Math.max(0, n - 1)];
            for (int i = 0; i < cuts.length; i++) {
                cuts[i] = (i + 1) * chunk;
            }
            return CollectedFrames.decode(body, max, cuts);
        }
    }
}
