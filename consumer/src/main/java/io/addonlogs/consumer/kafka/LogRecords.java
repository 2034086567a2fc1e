package io.addonlogs.consumer.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading the logs topic: client settings and the add-on of a record. */
public final class LogRecords {

    private LogRecords() {
    }

    /** The header naming a record's add-on, written by ingest from its token registry (providers cannot set it). */
    public static final String ADDON_ID_HEADER = "addon-id";

    /** The record's {@link #ADDON_ID_HEADER}, or null. */
    public static String addonId(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(ADDON_ID_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static Map<String, Object> consumerConfig(String bootstrapServers, String clientId) {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, clientId,
                // manual assignment, no group: positions live in the viewers' cursors, nothing to commit
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // live lines must reach viewers within a blink: don't let the broker hold a fetch for long
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    }
}
