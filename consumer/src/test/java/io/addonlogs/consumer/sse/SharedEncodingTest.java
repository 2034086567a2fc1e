package io.addonlogs.consumer.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.syslog.Severity;

/** Live lines are parsed and encoded once per add-on; each viewer takes the shared bytes or its filtered share. */
class SharedEncodingTest {

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, int pri, String msg) {
        String line = "<" + pri + ">1 2026-11-23T10:00:00.000Z db-1 lt_x postgres.1 - - " + msg;
        return new ConsumerRecord<>("logs", partition, offset, "lt_x".getBytes(StandardCharsets.UTF_8),
                line.getBytes(StandardCharsets.UTF_8));
    }

    private static TailQuery query(Severity severity) {
        return new TailQuery(null, null, null, null, null, severity, null, null, null, null, 0, 0, false);
    }

    private static TailQuery countingHidden(Severity severity) {
        return new TailQuery(null, null, null, null, null, severity, null, null, null, null, 0, 0, true);
    }

    @Test
    void everyViewerOfAnAddonSharesOneEncoding() {
        LiveEncoder hub = new LiveEncoder();
        hub.joined("addon_1", Map.of(0, 10L, 2, 5L));
        LiveBatch batch = hub.prepare("addon_1", List.of(record(0, 10, 190, "info line"), record(0, 11, 187, "err line")));

        EventEncoder all = new EventEncoder(query(null), "addon_1");
        all.startAt(Map.of(0, 10L, 2, 5L));
        EventEncoder errorsOnly = new EventEncoder(query(Severity.ERR), "addon_1");
        errorsOnly.startAt(Map.of(0, 10L, 2, 5L));

        EventEncoder.Chunk everything = all.live(batch, Integer.MAX_VALUE);
        assertSame(batch.all(), everything.bytes(), "a viewer taking every line writes the shared buffer itself");
        assertEquals(2, everything.events());
        EventEncoder.Chunk errors = errorsOnly.live(batch, Integer.MAX_VALUE);
        assertEquals(1, errors.events());
        assertEquals(batch.events().get(1).sse().toString(), errors.bytes().toString());
        assertTrue(errors.bytes().toString().startsWith("id: 0:12,2:5\nevent: RESOURCE_LOG\n"),
                "the add-on's cursor: next offset here, its start on the other partition");

        // a later batch: the cursor carries on; a viewer does not take a line twice
        LiveBatch later = hub.prepare("addon_1", List.of(record(2, 7, 190, "other partition")));
        assertTrue(later.events().get(0).sse().toString().startsWith("id: 0:12,2:8\n"));
        assertEquals(1, all.live(later, Integer.MAX_VALUE).events());
        assertEquals(0, all.live(later, Integer.MAX_VALUE).events(), "already delivered");
    }

    @Test
    void aViewerTakingEverythingGetsTheSharedBytesOnlyWhenNoLineOfTheBatchIsBehindItsCursor() {
        LiveEncoder hub = new LiveEncoder();
        hub.joined("addon_1", Map.of(0, 10L, 2, 5L));
        LiveBatch batch = hub.prepare("addon_1", List.of(record(0, 10, 190, "a"), record(2, 5, 190, "b"),
                record(0, 11, 190, "c"), record(2, 6, 190, "d"), record(0, 12, 190, "e")));
        assertEquals(List.of(new LiveBatch.Span(0, 10, 12), new LiveBatch.Span(2, 5, 6)), batch.spans());

        EventEncoder fresh = new EventEncoder(query(null), "addon_1");
        fresh.startAt(Map.of(0, 10L, 2, 5L));
        assertSame(batch.all(), fresh.live(batch, Integer.MAX_VALUE).bytes());
        assertEquals(Map.of(0, 13L, 2, 7L), fresh.positions(), "each partition's cursor after its last line");

        // joined after the batch's first lines of partition 2: the lines before its cursor are not sent again
        EventEncoder late = new EventEncoder(query(null), "addon_1");
        late.startAt(Map.of(0, 10L, 2, 6L));
        EventEncoder.Chunk chunk = late.live(batch, Integer.MAX_VALUE);
        assertEquals(List.of("RESOURCE_LOG a", "RESOURCE_LOG c", "RESOURCE_LOG d", "RESOURCE_LOG e"),
                events(chunk.bytes().toString()));
        assertEquals(Map.of(0, 13L, 2, 7L), late.positions());
    }

    @Test
    void aViewerStopsAtItsBudgetWithItsCursorOnTheFirstLineLeft() {
        LiveEncoder hub = new LiveEncoder();
        hub.joined("addon_1", Map.of(0, 10L, 2, 5L));
        LiveBatch batch = hub.prepare("addon_1", List.of(record(0, 10, 190, "a"), record(2, 5, 190, "b"),
                record(0, 11, 190, "c"), record(2, 6, 190, "d")));
        EventEncoder throttled = new EventEncoder(query(null), "addon_1");
        throttled.startAt(Map.of(0, 10L, 2, 5L));

        EventEncoder.Chunk two = throttled.live(batch, 2);
        assertEquals(2, two.events());
        assertTrue(two.stopped());
        assertEquals(batch.events().get(0).sse().toString() + batch.events().get(1).sse(), two.bytes().toString());
        assertEquals(Map.of(0, 11L, 2, 6L), throttled.positions(), "not past the last line written");

        EventEncoder.Chunk rest = throttled.encode(List.of(record(0, 11, 190, "c"), record(2, 6, 190, "d")), 1);
        assertEquals(1, rest.events());
        assertTrue(rest.stopped());
        assertTrue(rest.bytes().toString().startsWith("id: 0:12,2:6\n"), rest.bytes().toString());
        assertEquals(Map.of(0, 12L, 2, 6L), throttled.positions(), "the line left is read again later");
        EventEncoder.Chunk last = throttled.encode(List.of(record(2, 6, 190, "d")), 1);
        assertEquals(1, last.events());
        assertFalse(last.stopped(), "within the budget");
        assertEquals(Map.of(0, 12L, 2, 7L), throttled.positions());
        assertEquals(0, throttled.live(batch, 5).events(), "nothing twice");
    }

    @Test
    void aViewerThatAsksIsToldHowManyLinesItsFiltersHidAsOfEachLineShown() {
        LiveEncoder hub = new LiveEncoder();
        hub.joined("addon_1", Map.of(0, 10L));
        // history: info, err, info, info (hidden: 1 before the err, 2 after it)
        EventEncoder errors = new EventEncoder(countingHidden(Severity.ERR), "addon_1");
        errors.startAt(Map.of(0, 10L));
        EventEncoder.Chunk history = errors.encode(List.of(record(0, 10, 190, "i1"), record(0, 11, 187, "e1"),
                record(0, 12, 190, "i2"), record(0, 13, 190, "i3")), Integer.MAX_VALUE);
        assertEquals(1, history.events(), "HIDDEN events are not counted as lines (metrics, throttle)");
        String text = history.bytes().toString();
        assertEquals(List.of("HIDDEN 1", "RESOURCE_LOG e1", "HIDDEN 3"), events(text), text);

        // live: err (nothing new hidden before it: no HIDDEN), info (hidden), then a batch of hidden lines only
        LiveBatch batch = hub.prepare("addon_1", List.of(record(0, 14, 187, "e2"), record(0, 15, 190, "i4")));
        assertEquals(List.of("RESOURCE_LOG e2", "HIDDEN 4"), events(errors.live(batch, Integer.MAX_VALUE).bytes().toString()));
        EventEncoder.Chunk onlyHidden = errors.live(hub.prepare("addon_1", List.of(record(0, 16, 190, "i5"))),
                Integer.MAX_VALUE);
        assertEquals(0, onlyHidden.events());
        assertEquals(List.of("HIDDEN 5"), events(onlyHidden.bytes().toString()));
        assertNull(errors.live(hub.prepare("addon_1", List.of(record(0, 16, 190, "i5"))), Integer.MAX_VALUE)
                .bytes(), "a line already counted is neither shown nor counted again");

        // a viewer that did not ask gets the lines only
        EventEncoder quiet = new EventEncoder(query(Severity.ERR), "addon_1");
        quiet.startAt(Map.of(0, 10L));
        assertEquals(List.of("RESOURCE_LOG e1"), events(quiet.encode(List.of(record(0, 10, 190, "i1"),
                record(0, 11, 187, "e1"), record(0, 12, 190, "i2")), Integer.MAX_VALUE).bytes().toString()));
    }

    /** "EVENT data-summary" per event: the HIDDEN count, or the RESOURCE_LOG's message. */
    private static List<String> events(String sse) {
        return Arrays.stream(sse.split("\n\n")).map(block -> {
            String event = block.replaceAll("(?s).*event: (\\w+).*", "$1");
            String data = block.replaceAll("(?s).*data: ", "");
            return event + " " + (event.equals("HIDDEN") ? data.replaceAll("\\D", "")
                    : data.replaceAll(".*\"message\":\"([^\"]*)\".*", "$1"));
        }).toList();
    }
}
