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

    /**
     * A frame split across chunks is held in a buffer that grows with the bytes that arrived, never allocated from
     * its declared LEN: 17 bytes announcing a 256 KiB frame must not cost 256 KiB (measured as this thread's
     * allocation while feeding them).
     */
    @Test
    void aDeclaredLengthAllocatesNothingUntilItsBytesArrive() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        byte[] announce = "262144 <190>1 - h".getBytes(UTF_8);
        OctetFrameDecoder decoder = new OctetFrameDecoder(256 * 1024, (buf, off, len, i, at) -> { });
        decoder.feed(new byte[] {'1', ' ', 'x'}); // warm up: class loading, first frame
        long before = threads.getCurrentThreadAllocatedBytes();
        assertTrue(decoder.feed(announce));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 4096, "feeding 17 bytes allocated " + allocated + " bytes");
    }

    /** What the decoder holds is never more than twice what arrived of the frame (or a small minimum). */
    @Test
    void heldBytesGrowWithTheBytesReceived() {
        int size = 200_000;
        byte[] msg = new byte[size];
        new Random(7).nextBytes(msg);
        byte[] body = concat((size + " ").getBytes(UTF_8), msg);
        List<byte[]> seen = new ArrayList<>();
        OctetFrameDecoder decoder = new OctetFrameDecoder(size, (buf, off, len, i, at) ->
                seen.add(java.util.Arrays.copyOfRange(buf, off, off + len)));
        int lenBytes = (size + " ").length();
        for (int from = 0; from < body.length; from += 1000) {
            int n = Math.min(1000, body.length - from);
            assertTrue(decoder.feed(body, from, n));
            long arrived = Math.max(0, from + n - lenBytes);
            if (seen.isEmpty()) {
                assertTrue(decoder.heldBytes() <= Math.max(2 * arrived, 1024),
                        decoder.heldBytes() + " held after " + arrived + " bytes of the frame");
            }
        }
        assertEquals(0, decoder.heldBytes(), "nothing held once the frame is handed over");
        assertArrayEquals(msg, seen.get(0));
    }

    /** A frame of a few KiB split at every position, and at every pair of positions near its ends. */
    @Test
    void growingFrameSplitAtEveryPosition() {
        byte[] msg = new byte[5000];
        new Random(11).nextBytes(msg);
        byte[] body = concat(concat((msg.length + " ").getBytes(UTF_8), msg), frame("tail").getBytes(UTF_8));
        for (int a = 0; a <= body.length; a++) {
            assertGrownFrame(msg, CollectedFrames.decode(body, MAX, a), "cut at " + a);
        }
        for (int a = 0; a <= 40; a++) {
            for (int b = body.length - 40; b <= body.length; b++) {
                assertGrownFrame(msg, CollectedFrames.decode(body, MAX, a, b), "cuts at " + a + "," + b);
            }
        }
        for (int chunk : new int[] {1, 2, 3, 255, 256, 257, 1023, 1024, 4999}) {
            assertGrownFrame(msg, new ChunkFeeder(chunk).feed(body, MAX), "chunks of " + chunk);
        }
    }

    private static void assertGrownFrame(byte[] msg, CollectedFrames out, String how) {
        assertTrue(out.ok, how + ": " + out.decoder.error());
        assertEquals(2, out.frames.size(), how);
        assertArrayEquals(msg, out.frames.get(0), how);
        assertEquals("tail", new String(out.frames.get(1), UTF_8), how);
        assertEquals(0, out.decoder.heldBytes(), how);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
