package io.addonlogs.consumer.sse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.common.syslog.Severity;
import io.addonlogs.consumer.kafka.Cursor;
import io.addonlogs.consumer.kafka.LiveReader;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Parses and encodes each live line once per add-on, however many viewers it has. The event id is the add-on's
 * cursor as this reader sees it: for the line's partition the next offset, for the add-on's other partitions the
 * position after its last line there (or where its first viewer started): any live viewer of the add-on can resume
 * from it without gap or duplicate, since this reader has seen every line of the add-on after those positions.
 * Runs on the live reader's thread only.
 */
final class LiveEncoder implements LiveReader.Preparer<LiveBatch> {

    private final Rfc5424Header header = new Rfc5424Header();
    private final Map<String, TreeMap<Integer, Long>> cursors = new HashMap<>();

    @Override
    public void joined(String addonId, Map<Integer, Long> positions) {
        TreeMap<Integer, Long> cursor = cursors.computeIfAbsent(addonId, a -> new TreeMap<>());
        positions.forEach(cursor::putIfAbsent);
    }

    @Override
    public void left(String addonId) {
        cursors.remove(addonId);
    }

    @Override
    public LiveBatch prepare(String addonId, List<ConsumerRecord<byte[], byte[]>> records) {
        TreeMap<Integer, Long> cursor = cursors.computeIfAbsent(addonId, a -> new TreeMap<>());
        List<Encoded> encoded = new ArrayList<>(records.size());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512 * records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            cursor.put(record.partition(), record.offset() + 1);
            byte[] value = record.value();
            if (value == null || !header.parse(value, 0, value.length)) {
                continue;
            }
            LogEvent event = LogEvent.from(Cursor.encode(cursor), addonId, record.timestamp(), header);
            int start = bytes.size();
            EventEncoder.resourceLog(event, bytes);
            encoded.add(new Encoded(record, event, header.severity(), start, bytes.size()));
        }
        Buffer all = direct(bytes);
        List<LiveBatch.Event> events = new ArrayList<>(encoded.size());
        for (Encoded e : encoded) { // each event's bytes are its share of the batch's buffer, not a copy
            events.add(new LiveBatch.Event(e.record.partition(), e.record.offset(), e.record.timestamp(), e.event,
                    e.severity, all.slice(e.start, e.end)));
        }
        return LiveBatch.of(events, all);
    }

    /** One line parsed and encoded, where its bytes lie in the batch's. */
    private record Encoded(ConsumerRecord<byte[], byte[]> record, LogEvent event, Severity severity, int start,
                           int end) {
    }

    /**
     * The batch's bytes in direct memory, which every viewer's socket write takes as they are: Netty copies heap
     * bytes into a direct buffer of its own at each write, that is once per viewer (a thousand copies of each batch
     * for a thousand viewers, and as many buffers held while their sockets are full). A JDK direct buffer, freed by
     * the GC once no write holds it, since no single viewer knows when the last write of a shared batch is done.
     */
    private static Buffer direct(ByteArrayOutputStream bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.size());
        direct.put(bytes.toByteArray()).flip();
        return BufferInternal.buffer(Unpooled.wrappedBuffer(direct));
    }

    @Override
    public long bytes(LiveBatch batch) {
        return batch.bytes();
    }
}
