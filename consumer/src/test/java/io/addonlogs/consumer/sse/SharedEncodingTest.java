package io.addonlogs.consumer.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
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
        return new TailQuery(null, null, null, null, severity, null, null, null, null);
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

        EventEncoder.Chunk everything = all.live(batch);
        assertSame(batch.all(), everything.bytes(), "a viewer taking every line writes the shared buffer itself");
        assertEquals(2, everything.events());
        EventEncoder.Chunk errors = errorsOnly.live(batch);
        assertEquals(1, errors.events());
        assertEquals(batch.events().get(1).sse().toString(), errors.bytes().toString());
        assertTrue(errors.bytes().toString().startsWith("id: 0:12,2:5\nevent: RESOURCE_LOG\n"),
                "the add-on's cursor: next offset here, its start on the other partition");

        // a later batch: the cursor carries on; a viewer does not take a line twice
        LiveBatch later = hub.prepare("addon_1", List.of(record(2, 7, 190, "other partition")));
        assertTrue(later.events().get(0).sse().toString().startsWith("id: 0:12,2:8\n"));
        assertEquals(1, all.live(later).events());
        assertEquals(0, all.live(later).events(), "already delivered");
    }
}
