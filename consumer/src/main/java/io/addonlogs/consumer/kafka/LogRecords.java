package io.addonlogs.consumer.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.service.kafka.ClientConfig;

/** Reading the logs topic: client settings and the add-on of a record. */
public final class LogRecords {

    private LogRecords() {
    }

    /** The record's {@link LogHeaders#ADDON_ID}, or null. */
    public static String addonId(ConsumerRecord<byte[], byte[]> record) {
        byte[] bytes = addonIdBytes(record);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** The record's {@link LogHeaders#ADDON_ID} as stored (UTF-8), or null. */
    static byte[] addonIdBytes(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(LogHeaders.ADDON_ID);
        return header == null ? null : header.value();
    }

    /** Whether the record's {@link LogHeaders#ADDON_ID} is {@code addonId} (its UTF-8 bytes): no String decoded. */
    public static boolean isOf(ConsumerRecord<byte[], byte[]> record, byte[] addonId) {
        byte[] bytes = addonIdBytes(record);
        return bytes != null && Arrays.equals(bytes, addonId);
    }

    /**
     * A logs-topic consumer's settings: {@code kafka}, the service's shared client settings (bootstrap servers,
     * security; see {@code KafkaClientSettings}), plus the readers' own.
     */
    public static Map<String, Object> consumerConfig(Map<String, String> kafka, String clientId) {
        return ClientConfig.of(kafka, readerSettings(clientId));
    }

    /** The readers' own settings, for a reader that adds its own to them before {@link ClientConfig#of}. */
    public static Map<String, Object> readerSettings(String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // manual assignment, no group: positions live in the viewers' cursors, nothing to commit
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // live lines must reach viewers within a blink: don't let the broker hold a fetch for long
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }
}
