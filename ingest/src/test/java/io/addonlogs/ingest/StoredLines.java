package io.addonlogs.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The line ids Kafka holds for a token (the last word of each message), to count lost and duplicated lines. */
record StoredLines(List<String> ids) {

    static StoredLines of(IngestFixture ingest, String token) {
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : ingest.recordsFor(token)) {
            String value = new String(record.value(), StandardCharsets.UTF_8);
            ids.add(value.substring(value.lastIndexOf(' ') + 1));
        }
        return new StoredLines(ids);
    }

    int distinct() {
        return new HashSet<>(ids).size();
    }

    int duplicates() {
        return ids.size() - distinct();
    }

    /** The acknowledged ids Kafka does not hold. */
    Set<String> missing(Set<String> acknowledged) {
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(new HashSet<>(ids));
        return lost;
    }
}
