package io.addonlogs.consumer.sse;

import java.util.List;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.syslog.Severity;
import io.vertx.core.buffer.Buffer;

/**
 * One add-on's live lines of one poll, parsed and encoded once for all its viewers: each event with its position,
 * its parsed form (for the viewers' filters) and its SSE bytes, plus all of them as one buffer for the viewers that
 * take every line. Immutable: shared by viewers on any event loop.
 */
public record LiveBatch(List<Event> events, Buffer all) {

    public record Event(int partition, long offset, long timestamp, LogEvent event, Severity severity, Buffer sse) {
    }

    public long bytes() {
        return all.length();
    }
}
