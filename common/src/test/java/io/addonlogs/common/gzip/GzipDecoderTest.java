package io.addonlogs.common.gzip;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

class GzipDecoderTest {

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Feeds compressed bytes in pieces of {@code chunk}, inflating into a buffer of {@code outSize}. */
    static byte[] gunzip(byte[] compressed, int chunk, int outSize) {
        ByteArrayOutputStream result = new ByteArrayOutputStream();
        byte[] out = new byte[outSize];
        try (GzipDecoder decoder = new GzipDecoder()) {
            for (int off = 0; off < compressed.length; off += chunk) {
                decoder.setInput(compressed, off, Math.min(chunk, compressed.length - off));
                int n;
                while ((n = decoder.inflate(out, 0, out.length)) > 0) {
                    assertTrue(n <= outSize);
                    result.write(out, 0, n);
                }
            }
            decoder.finish();
        }
        return result.toByteArray();
    }

    @Test
    void inflatesWhateverTheChunkAndOutputSizes() throws IOException {
        byte[] data = new byte[300_000];
        Random random = new Random(3);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + random.nextInt(4));
        }
        byte[] compressed = gzip(data);
        for (int chunk : new int[] {1, 10, 4096, compressed.length}) {
            for (int outSize : new int[] {1, 1000, 16384}) {
                if (chunk == 1 && outSize == 1) {
                    continue; // 300k x 300k single-byte steps add nothing but time
                }
                assertArrayEquals(data, gunzip(compressed, chunk, outSize), chunk + "/" + outSize);
            }
        }
    }

    @Test
    void headerWithNameCommentExtraAndCrcSplitAtEveryByte() throws IOException {
        byte[] member = gzip("hello".getBytes(UTF_8));
        ByteArrayOutputStream custom = new ByteArrayOutputStream();
        custom.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3});
        custom.write(new byte[] {3, 0, 'x', 'y', 'z'});
        custom.write("name.txt\0comment\0".getBytes(UTF_8));
        custom.write(new byte[] {0, 0}); // header CRC (not verified, as most readers)
        custom.write(member, 10, member.length - 10);
        byte[] body = custom.toByteArray();
        for (int chunk = 1; chunk <= body.length; chunk++) {
            assertEquals("hello", new String(gunzip(body, chunk, 3), UTF_8), "chunk " + chunk);
        }
    }

    @Test
    void concatenatedMembersAreOneStream() throws IOException {
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(gzip("one ".getBytes(UTF_8)));
        two.write(gzip("two".getBytes(UTF_8)));
        assertEquals("one two", new String(gunzip(two.toByteArray(), 7, 5), UTF_8));
    }

    @Test
    void corruptAndTruncatedInputIsRejected() throws IOException {
        byte[] good = gzip("some text to compress, some text to compress".getBytes(UTF_8));

        byte[] badMagic = good.clone();
        badMagic[0] = 0x1e;
        assertEquals("not gzip data (bad magic bytes)", assertThrows(GzipFormatException.class,
                () -> gunzip(badMagic, 100, 100)).getMessage());

        byte[] badCrc = good.clone();
        badCrc[badCrc.length - 8] ^= 1;
        assertEquals("gzip CRC-32 mismatch", assertThrows(GzipFormatException.class,
                () -> gunzip(badCrc, 100, 100)).getMessage());

        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        assertEquals("gzip body is truncated", assertThrows(GzipFormatException.class,
                () -> gunzip(truncated, 100, 100)).getMessage());

        assertEquals("empty gzip body", assertThrows(GzipFormatException.class,
                () -> gunzip(new byte[0], 100, 100)).getMessage());

        byte[] plain = "12 <14>1 - h a".getBytes(UTF_8);
        assertThrows(GzipFormatException.class, () -> gunzip(plain, 100, 100));
    }

    @Test
    void bombInflatesOnlyAsMuchAsAsked() throws IOException {
        byte[] bomb = gzip(new byte[50_000_000]);
        assertTrue(bomb.length < 100_000);
        byte[] out = new byte[16384];
        try (GzipDecoder decoder = new GzipDecoder()) {
            decoder.setInput(bomb, 0, bomb.length);
            assertEquals(16384, decoder.inflate(out, 0, out.length), "one call, at most one buffer");
        }
    }
}
