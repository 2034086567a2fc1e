package io.addonlogs.consumer.sse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.syslog.Severity;
import io.vertx.core.buffer.Buffer;

/**
 * One add-on's live lines of one poll, parsed and encoded once for all its viewers: each event with its position,
 * its parsed form (for the viewers' filters) and its SSE bytes, plus all of them as one buffer for the viewers that
 * take every line. Immutable: shared by viewers on any event loop.
 */
public record LiveBatch(List<Event> events, Buffer all, List<Span> spans) {

    public record Event(int partition, long offset, long timestamp, LogEvent event, Severity severity, Buffer sse) {
    }

    /** Where a partition's events lie: its first and last offsets (a partition's events are in offset order). */
    public record Span(int partition, long first, long last) {
    }

    /** The batch of these events (each partition's in offset order) and their bytes. */
    public static LiveBatch of(List<Event> events, Buffer all) {
        Map<Integer, Span> spans = new LinkedHashMap<>();
        for (Event e : events) {
            spans.merge(e.partition(), new Span(e.partition(), e.offset(), e.offset()),
                    (was, now) -> new Span(was.partition(), was.first(), now.last()));
        }
        return new LiveBatch(List.copyOf(events), all, List.copyOf(spans.values()));
    }

    public long bytes() {
        return all.length();
    }
}
