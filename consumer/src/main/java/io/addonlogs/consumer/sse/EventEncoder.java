package io.addonlogs.consumer.sse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.common.syslog.Rfc5424Header;
import io.addonlogs.consumer.kafka.Cursor;
import io.vertx.core.buffer.Buffer;

/**
 * Turns one stream's stored records (history) or shared live batches into its {@code RESOURCE_LOG} events: skips
 * what its cursor already covers, applies its filters, and stops at its {@code until} or {@code limit}, or before
 * the first line its throttle's budget does not allow (the cursor then stays on that line, for the stream to read it
 * again from Kafka later); keeps the cursor ({@code next}) as it goes. Used by one thread at a time: a history reader's during a replay step (so that a
 * replay's encoding is done in the viewer's turn, not on the event loop), the stream's event loop afterwards.
 *
 * <p>It also counts the add-on's lines the filters hid since the stream's start, and when the stream asked for it
 * ({@code hiddenCounts=true}) tells that count in a {@code HIDDEN} event (no id) whenever it changed: before the
 * next line shown, so a client knows the count as of each line's cursor, and at the end of a chunk.
 */
final class EventEncoder {

    /**
     * The events of a batch as one chunk (per-write costs in Netty dominate at high rates otherwise); {@code stopped}:
     * a line it would take was left for lack of budget.
     */
    record Chunk(Buffer bytes, int events, String endedBy, boolean stopped) {
    }

    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RESOURCE_LOG_DATA = "\nevent: RESOURCE_LOG\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final TailQuery query;
    private final String addonId;
    private final Rfc5424Header header = new Rfc5424Header();
    private final TreeMap<Integer, Long> next = new TreeMap<>();
    private int sent;
    private long hidden;
    private long hiddenTold;

    EventEncoder(TailQuery query, String addonId) {
        this.query = query;
        this.addonId = addonId;
    }

    /**
     * Appends one {@code RESOURCE_LOG} event as the SSE stream carries it; the id is the event's cursor. Written as
     * bytes: through strings, every event was copied four times more on a replay's reading thread.
     */
    static void resourceLog(LogEvent event, ByteArrayOutputStream out) {
        out.writeBytes(ID);
        out.writeBytes(event.id().getBytes(StandardCharsets.US_ASCII)); // a cursor: digits, ':' and ','
        out.writeBytes(RESOURCE_LOG_DATA);
        LogEventJson.writeTo(event, out);
        out.writeBytes(EVENT_END);
    }

    /** The event telling a stream's count of hidden lines; no id, so it never moves a client's cursor. */
    private static byte[] hiddenEvent(long hidden) {
        return ("event: HIDDEN\ndata: {\"hidden\":" + hidden + "}\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Where the stream starts, per partition. */
    void startAt(Map<Integer, Long> from) {
        next.putAll(from);
    }

    /** Where the stream is: per partition, the offset of the next line to consider. */
    Map<Integer, Long> positions() {
        return Map.copyOf(next);
    }

    /**
     * The live lines of a batch this stream takes, at most {@code budget}, reusing their shared encoding: the whole
     * batch's buffer as it is when the stream takes every line (no filter, no limit, no until, within the budget),
     * else the bytes of the lines it takes.
     */
    Chunk live(LiveBatch batch, int budget) {
        List<LiveBatch.Event> events = batch.events();
        if (events.isEmpty()) {
            return new Chunk(null, 0, null, false);
        }
        // a viewer taking every line, with the budget for all: the whole batch's bytes and a cursor move per
        // partition, whatever the batch's size (the per-event checks below cost as much as the write)
        if (query.takesEverything() && events.size() <= budget && freshFrom(batch.spans())) {
            for (LiveBatch.Span span : batch.spans()) {
                next.put(span.partition(), span.last() + 1);
            }
            sent += events.size();
            return new Chunk(batch.all(), events.size(), null, false);
        }
        Buffer out = Buffer.buffer();
        int taken = 0;
        String ended = null;
        boolean stopped = false;
        for (LiveBatch.Event event : events) {
            if (event.offset() < next.getOrDefault(event.partition(), 0L)) {
                continue;
            }
            if (query.until() != null && event.timestamp() > query.until().toEpochMilli()) {
                ended = "UNTIL_REACHED";
                break;
            }
            boolean wanted = query.matches(event.event(), event.severity());
            if (wanted && taken == budget) {
                stopped = true;
                break;
            }
            next.put(event.partition(), event.offset() + 1);
            if (!wanted) {
                hidden++;
                continue;
            }
            tellHidden(out::appendBytes);
            out.appendBuffer(event.sse());
            taken++;
            sent++;
            if (query.limit() != null && sent >= query.limit()) {
                ended = "LIMIT_REACHED";
                break;
            }
        }
        tellHidden(out::appendBytes);
        return new Chunk(out.length() == 0 ? null : out, taken, ended, stopped);
    }

    /** Whether every event of these spans is after what this stream sent (a partition's events are in order). */
    private boolean freshFrom(List<LiveBatch.Span> spans) {
        for (LiveBatch.Span span : spans) {
            if (span.first() < next.getOrDefault(span.partition(), 0L)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the stream would show this stored record (it parses, passes the filters, and is not after
     * {@code until}), whatever its cursor: what {@code tail} counts.
     */
    boolean wanted(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        if (value == null || (query.until() != null && record.timestamp() > query.until().toEpochMilli())
                || !header.parse(value, 0, value.length)) {
            return false;
        }
        return query.takesEverything() || query.matches(LogEvent.from("", addonId, record.timestamp(), header),
                header.severity());
    }

    /** The history records this stream takes, at most {@code budget} of them, encoded. */
    Chunk encode(Iterable<ConsumerRecord<byte[], byte[]>> records, int budget) {
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(8192);
        int events = 0;
        String ended = null;
        boolean stopped = false;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            long expected = next.getOrDefault(record.partition(), 0L);
            if (record.offset() < expected) {
                continue; // already delivered (the seam between replay and live, or a resumed cursor)
            }
            Long previous = next.put(record.partition(), record.offset() + 1);
            if (query.until() != null && record.timestamp() > query.until().toEpochMilli()) {
                ended = "UNTIL_REACHED";
                break;
            }
            byte[] value = record.value();
            if (value == null || !header.parse(value, 0, value.length)) {
                continue;
            }
            LogEvent event = LogEvent.from(Cursor.encode(next), addonId, record.timestamp(), header);
            if (!query.matches(event, header.severity())) {
                hidden++;
                continue;
            }
            if (events == budget) {
                if (previous == null) { // left for a later read
                    next.remove(record.partition());
                } else {
                    next.put(record.partition(), previous);
                }
                stopped = true;
                break;
            }
            tellHidden(chunk::writeBytes);
            resourceLog(event, chunk);
            events++;
            sent++;
            if (query.limit() != null && sent >= query.limit()) {
                ended = "LIMIT_REACHED";
                break;
            }
        }
        tellHidden(chunk::writeBytes);
        return new Chunk(chunk.size() == 0 ? null : Buffer.buffer(chunk.toByteArray()), events, ended, stopped);
    }

    /** Writes the count of hidden lines if the stream asked for it and it changed since last told. */
    private void tellHidden(Consumer<byte[]> out) {
        if (query.hiddenCounts() && hidden != hiddenTold) {
            out.accept(hiddenEvent(hidden));
            hiddenTold = hidden;
        }
    }
}
