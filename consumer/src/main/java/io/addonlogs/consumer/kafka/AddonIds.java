package io.addonlogs.consumer.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.addonlogs.common.kafka.LogHeaders;

/**
 * Reads the add-on of each record of a poll, in order: the ingest writes a request's lines together, so records of
 * one add-on follow each other, and the last add-on's id is given again while the header's bytes are the same (one
 * comparison of a few dozen bytes where a String was decoded per record). One per reading thread.
 */
public final class AddonIds {

    private byte[] lastBytes;
    private String last;

    /** The record's {@link LogHeaders#ADDON_ID}, or null. */
    public String of(ConsumerRecord<byte[], byte[]> record) {
        byte[] bytes = LogRecords.addonIdBytes(record);
        if (bytes == null) {
            return null;
        }
        if (!Arrays.equals(bytes, lastBytes)) {
            lastBytes = bytes;
            last = new String(bytes, StandardCharsets.UTF_8);
        }
        return last;
    }
}
