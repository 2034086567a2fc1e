package io.addonlogs.consumer.history;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

import io.addonlogs.common.kafka.LogHeaders;

/**
 * One record of the history index: for the logs topic's offsets {@code [start, end)} of one partition, which add-ons
 * have records there and between which offsets ({@link Span}). {@code maxTimestamp} is the largest record timestamp
 * of the partition up to {@code end} (a running maximum, so it never decreases from one block to the next): the index
 * record carries it as its own timestamp, and Kafka's time index then finds the first block that can hold a record
 * at or after a given time.
 *
 * <p>Add-ons are named by a 64-bit hash of their id (FNV-1a over its UTF-8 bytes): a collision only makes a reader
 * read a range for nothing, since it checks each record's {@code addon-id} header anyway.
 *
 * <p>A span can also <em>keep</em> the add-on's lines themselves ({@link Span#kept}, all {@code count} of them: a
 * quiet add-on's few lines among busy neighbours, chosen by {@link BlockBuilder} within a small share of the block's
 * bytes). A reader then takes them from the index instead of fetching the neighbours' producer batches that hold
 * them, which is most of what a scattered line costs to read.
 *
 * <p>Binary, version 2: {@code 2, varint partition, varlong start, varlong end-start, varlong maxTimestamp, varint
 * spans, then per span: 8-byte hash, varlong first-start, varlong last-first, varint count, varint kept (0 or count);
 * when kept: varint id length, the add-on id (UTF-8), then per line: varlong offset-first, varlong timestamp, varint
 * value length, the value}. Version 1 (written before lines were kept) is the same without the kept part; both are
 * read.
 */
public record IndexBlock(int partition, long start, long end, long maxTimestamp, List<Span> spans) {

    private static final byte VERSION = 2;
    private static final byte VERSION_WITHOUT_LINES = 1;

    /**
     * The add-on's records of the block all lie in {@code [first, last]}; {@code count} of them. When {@code kept} is
     * not empty it holds every one of them, in offset order, and {@code addonId} is the add-on's id (the same for all:
     * a span whose hash two add-ons share never keeps lines).
     */
    public record Span(long addon, long first, long last, int count, String addonId, List<KeptLine> kept) {

        /** A span that keeps no lines. */
        public Span(long addon, long first, long last, int count) {
            this(addon, first, last, count, null, List.of());
        }

        public boolean keepsLines() {
            return !kept.isEmpty();
        }

        /** The kept lines as the logs topic's records (no key: readers never use the token). */
        public List<ConsumerRecord<byte[], byte[]>> records(String topic, int partition) {
            byte[] id = addonId.getBytes(StandardCharsets.UTF_8);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(kept.size());
            for (KeptLine line : kept) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(LogHeaders.ADDON_ID, id);
                records.add(new ConsumerRecord<>(topic, partition, line.offset(), line.timestamp(),
                        TimestampType.CREATE_TIME, -1, line.value().length, null, line.value(), headers,
                        Optional.empty()));
            }
            return records;
        }
    }

    /** A line kept in the index: its record's offset, timestamp and value, as in the logs topic. */
    public record KeptLine(long offset, long timestamp, byte[] value) {
    }

    /** The add-on's span in this block, or null when it has no record here. */
    public Span spanOf(long addon) {
        for (Span span : spans) {
            if (span.addon() == addon) {
                return span;
            }
        }
        return null;
    }

    public static long hash(String addonId) {
        byte[] bytes = addonId.getBytes(StandardCharsets.UTF_8);
        return hash(bytes, 0, bytes.length);
    }

    /** FNV-1a, 64 bits, over {@code bytes[from, to)} (an {@code addon-id} header's value, as stored). */
    public static long hash(byte[] bytes, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h ^= bytes[i] & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + spans.size() * 14);
        out.write(VERSION);
        varlong(out, partition);
        varlong(out, start);
        varlong(out, end - start);
        varlong(out, maxTimestamp);
        varlong(out, spans.size());
        for (Span span : spans) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (span.addon() >>> shift));
            }
            varlong(out, span.first() - start);
            varlong(out, span.last() - span.first());
            varlong(out, span.count());
            varlong(out, span.kept().size());
            if (span.keepsLines()) {
                bytes(out, span.addonId().getBytes(StandardCharsets.UTF_8));
                for (KeptLine line : span.kept()) {
                    varlong(out, line.offset() - span.first());
                    varlong(out, line.timestamp());
                    bytes(out, line.value());
                }
            }
        }
        return out.toByteArray();
    }

    /** The block, or null when {@code value} is not an index record this version reads. */
    public static IndexBlock decode(byte[] value) {
        if (value == null || value.length == 0 || value[0] != VERSION && value[0] != VERSION_WITHOUT_LINES) {
            return null;
        }
        boolean withLines = value[0] == VERSION;
        try {
            ByteBuffer in = ByteBuffer.wrap(value, 1, value.length - 1);
            int partition = (int) varlong(in);
            long start = varlong(in);
            long end = start + varlong(in);
            long maxTimestamp = varlong(in);
            int count = (int) varlong(in);
            List<Span> spans = new ArrayList<>(Math.min(count, 4096));
            for (int i = 0; i < count; i++) {
                long addon = in.getLong();
                long first = start + varlong(in);
                long last = first + varlong(in);
                int records = (int) varlong(in);
                int keptCount = withLines ? (int) varlong(in) : 0;
                if (keptCount == 0) {
                    spans.add(new Span(addon, first, last, records));
                    continue;
                }
                String addonId = new String(bytes(in), StandardCharsets.UTF_8);
                List<KeptLine> kept = new ArrayList<>(Math.min(keptCount, 4096));
                for (int k = 0; k < keptCount; k++) {
                    long offset = first + varlong(in);
                    kept.add(new KeptLine(offset, varlong(in), bytes(in)));
                }
                spans.add(new Span(addon, first, last, records, addonId, List.copyOf(kept)));
            }
            return new IndexBlock(partition, start, end, maxTimestamp, spans);
        } catch (RuntimeException e) { // truncated or not ours: a reader scans the range instead
            return null;
        }
    }

    private static void varlong(ByteArrayOutputStream out, long value) {
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void bytes(ByteArrayOutputStream out, byte[] value) {
        varlong(out, value.length);
        out.writeBytes(value);
    }

    private static byte[] bytes(ByteBuffer in) {
        long length = varlong(in);
        if (length > in.remaining()) {
            throw new IllegalArgumentException("a length beyond the record");
        }
        byte[] value = new byte[(int) length];
        in.get(value);
        return value;
    }

    private static long varlong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varlong too long");
    }
}
