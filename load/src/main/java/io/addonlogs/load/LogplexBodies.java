package io.addonlogs.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/**
 * Logplex bodies for one provider: per token, a few prebuilt bodies of {@code linesPerPost} lines whose sizes are
 * uniform in the configured range, each line carrying {@code ts=<System.nanoTime()>} written at send time (the SSE
 * viewers measure delivery latency from it). Building a body is a copy and a few digit writes.
 */
final class LogplexBodies {

    /** Header, token, {@code ts=} and its digits need this much. */
    static final int MIN_LINE_BYTES = 100;
    private static final int TS_DIGITS = 19;
    private static final int VARIANTS = 4;

    private final List<List<Template>> byAddon = new ArrayList<>();
    private final SplittableRandom random;
    private final boolean gzip;

    private record Template(byte[] body, int[] tsOffsets) {
    }

    LogplexBodies(List<String> tokens, int linesPerPost, int minLineBytes, int maxLineBytes, boolean gzip, long seed) {
        this.random = new SplittableRandom(seed);
        this.gzip = gzip;
        for (String token : tokens) {
            List<Template> variants = new ArrayList<>();
            for (int v = 0; v < VARIANTS; v++) {
                variants.add(template(token, linesPerPost, minLineBytes, maxLineBytes));
            }
            byAddon.add(variants);
        }
    }

    private Template template(String token, int lines, int min, int max) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int[] offsets = new int[lines];
        for (int i = 0; i < lines; i++) {
            int size = min == max ? min : min + random.nextInt(max - min + 1);
            String head = "<190>1 - load-host " + token + " web.1 - - ts=";
            String zeros = "0".repeat(TS_DIGITS);
            StringBuilder line = new StringBuilder(size).append(head).append(zeros).append(" line ").append(i).append(' ');
            if (line.length() > size) {
                throw new IllegalArgumentException("a line of " + size + " bytes cannot hold a " + token.length()
                        + "-character token");
            }
            while (line.length() < size) {
                line.append((char) ('a' + line.length() % 26));
            }
            byte[] frame = (size + " " + line).getBytes(StandardCharsets.US_ASCII);
            offsets[i] = body.size() + String.valueOf(size).length() + 1 + head.length();
            body.writeBytes(frame);
        }
        return new Template(body.toByteArray(), offsets);
    }

    /** A body for this add-on with the send time in every line (gzipped when asked). */
    byte[] next(int addon, long sendNanos) {
        List<Template> variants = byAddon.get(addon);
        Template t = variants.get(random.nextInt(variants.size()));
        byte[] body = t.body().clone();
        for (int offset : t.tsOffsets()) {
            long v = sendNanos;
            for (int d = TS_DIGITS - 1; d >= 0; d--) {
                body[offset + d] = (byte) ('0' + (v % 10));
                v /= 10;
            }
        }
        return gzip ? gzip(body) : body;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 3);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 16 << 10)) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The send time a viewer reads back from a line's message, or -1. */
    static long sendNanos(String sseLine) {
        int i = sseLine.indexOf("ts=");
        if (i < 0 || i + 3 + TS_DIGITS > sseLine.length()) {
            return -1;
        }
        long v = 0;
        for (int d = 0; d < TS_DIGITS; d++) {
            char c = sseLine.charAt(i + 3 + d);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
