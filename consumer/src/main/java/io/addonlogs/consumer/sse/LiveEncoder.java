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
        List<LiveBatch.Event> events = new ArrayList<>(records.size());
        Buffer all = Buffer.buffer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            cursor.put(record.partition(), record.offset() + 1);
            byte[] value = record.value();
            if (value == null || !header.parse(value, 0, value.length)) {
                continue;
            }
            LogEvent event = LogEvent.from(Cursor.encode(cursor), addonId, record.timestamp(), header);
            bytes.reset();
            EventEncoder.resourceLog(event, bytes);
            Buffer sse = Buffer.buffer(bytes.toByteArray());
            all.appendBuffer(sse);
            events.add(new LiveBatch.Event(record.partition(), record.offset(), record.timestamp(), event,
                    header.severity(), sse));
        }
        return new LiveBatch(List.copyOf(events), direct(all));
    }

    /**
     * The batch's bytes in direct memory, which every viewer's socket write takes as they are: Netty copies heap
     * bytes into a direct buffer of its own at each write, that is once per viewer (a thousand copies of each batch
     * for a thousand viewers, and as many buffers held while their sockets are full). A JDK direct buffer, freed by
     * the GC once no write holds it, since no single viewer knows when the last write of a shared batch is done.
     */
    private static Buffer direct(Buffer heap) {
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.length());
        direct.put(heap.getBytes()).flip();
        return BufferInternal.buffer(Unpooled.wrappedBuffer(direct));
    }

    @Override
    public long bytes(LiveBatch batch) {
        return batch.bytes();
    }
}
