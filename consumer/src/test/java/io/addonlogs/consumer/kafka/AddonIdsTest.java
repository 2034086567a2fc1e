package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogHeaders;

/** Reading records' add-on ids: the same answers as decoding each header, the last id reused while it repeats. */
class AddonIdsTest {

    @Test
    void eachRecordGetsItsOwnAddonAndARepeatedOneIsReused() {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String addon : new String[] {"addon_a", "addon_a", "addon_b", null, "addon_a", "addon_é", "addon_é"}) {
            records.add(record(addon));
        }
        AddonIds ids = new AddonIds();
        List<String> read = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            read.add(ids.of(record));
        }
        assertEquals(Arrays.asList("addon_a", "addon_a", "addon_b", null, "addon_a", "addon_é", "addon_é"),
                read);
        for (int i = 0; i < records.size(); i++) {
            assertEquals(LogRecords.addonId(records.get(i)), read.get(i), "record " + i);
        }
        assertSame(read.get(0), read.get(1), "a repeated add-on's id is not decoded again");
        assertSame(read.get(5), read.get(6));
    }

    @Test
    void aRecordIsOfAnAddonWhenItsHeaderHasExactlyItsBytes() {
        byte[] a = "addon_a".getBytes(StandardCharsets.UTF_8);
        assertTrue(LogRecords.isOf(record("addon_a"), a));
        assertFalse(LogRecords.isOf(record("addon_ab"), a));
        assertFalse(LogRecords.isOf(record("addon_"), a));
        assertFalse(LogRecords.isOf(record(null), a));
        assertNull(new AddonIds().of(record(null)));
    }

    private static ConsumerRecord<byte[], byte[]> record(String addonId) {
        RecordHeaders headers = new RecordHeaders();
        if (addonId != null) {
            headers.add(new RecordHeader(LogHeaders.ADDON_ID, addonId.getBytes(StandardCharsets.UTF_8)));
        }
        return new ConsumerRecord<>("logs", 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0, new byte[0], new byte[0],
                headers, Optional.empty());
    }
}
