package io.addonlogs.consumer.kafka;

import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A live reader's preparer for tests: subscribers get the add-on's records as they are, weighed by their values. */
final class AsTheyAre implements LiveReader.Preparer<List<ConsumerRecord<byte[], byte[]>>> {

    @Override
    public List<ConsumerRecord<byte[], byte[]>> prepare(String addonId, List<ConsumerRecord<byte[], byte[]>> records) {
        return records;
    }

    @Override
    public long bytes(List<ConsumerRecord<byte[], byte[]>> batch) {
        return batch.stream().mapToLong(ConsumerRecord::serializedValueSize).sum();
    }
}
