package io.addonlogs.common.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.addonlogs.common.frame.FrameHandler;
import io.addonlogs.common.frame.OctetFrameDecoder;
import io.addonlogs.common.syslog.Rfc5424Header;

/**
 * Decoder + header parser over a 4 MiB logplex body of realistic lines (100-300 bytes, half with structured data),
 * fed in chunks as the HTTP server delivers them. One op = the whole body; MB/s = ops/s x {@link #BODY_BYTES}.
 * Run: see docs/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FrameParseBenchmark {

    static final int BODY_BYTES = 4 * 1024 * 1024;

    @Param({"8192", "65536"})
    int chunkBytes;

    byte[] body;
    int lines;
    private final Rfc5424Header header = new Rfc5424Header();
    private final byte[] token = "tok_4f1c2a9e7b3d5a6c8e0f1a2b3c4d5e6f".getBytes(StandardCharsets.US_ASCII);
    private long valid;
    private final FrameHandler handler = (buf, off, len, index, at) -> {
        if (header.parse(buf, off, len) && header.appNameEquals(token)) {
            valid++;
        }
    };

    @Setup(Level.Trial)
    public void buildBody() {
        Random random = new Random(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(BODY_BYTES + 400);
        String tok = new String(token, StandardCharsets.US_ASCII);
        int n = 0;
        while (out.size() < BODY_BYTES) {
            StringBuilder line = new StringBuilder("<").append(random.nextInt(192)).append(">1 2026-11-23T10:11:")
                    .append(10 + random.nextInt(50)).append('.').append(100000 + random.nextInt(900000))
                    .append("+00:00 pg-addon-").append(random.nextInt(1000)).append(' ').append(tok)
                    .append(" postgres.").append(random.nextInt(64)).append(" - ");
            if (random.nextBoolean()) {
                line.append("[meta zone=\"par").append(random.nextInt(3)).append("\" region=\"eu\"] ");
            }
            int target = Math.max(line.length() + 10, 100 + random.nextInt(201));
            while (line.length() < target) {
                line.append("LOG:  duration: ").append(random.nextInt(1000)).append(" ms statement: SELECT 1; ");
            }
            line.setLength(target);
            byte[] msg = line.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes((msg.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(msg);
            n++;
            if (out.size() + 400 > BODY_BYTES) {
                break;
            }
        }
        body = out.toByteArray();
        lines = n;
        System.out.printf("%nbody: %d bytes, %d lines, %.1f bytes/line%n", body.length, lines,
                (double) body.length / lines);
    }

    @Benchmark
    public long decodeAndParse() {
        valid = 0;
        OctetFrameDecoder decoder = new OctetFrameDecoder(64 * 1024, handler);
        for (int off = 0; off < body.length; off += chunkBytes) {
            decoder.feed(body, off, Math.min(chunkBytes, body.length - off));
        }
        decoder.finish();
        if (valid != lines) {
            throw new IllegalStateException("parsed " + valid + " of " + lines);
        }
        return valid;
    }
}
