package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogPartitions;

/** The shared partition function is the one Kafka's producer applies to keyed records (the ingest's). */
class LogPartitionsTest {

    @Test
    void matchesTheProducersPartitionerForEveryKeyLengthAndCount() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] key = new byte[random.nextInt(64)];
            random.nextBytes(key);
            int partitions = 1 + random.nextInt(200);
            assertEquals(BuiltInPartitioner.partitionForKey(key, partitions), LogPartitions.of(key, partitions),
                    "key of " + key.length + " bytes over " + partitions);
        }
        byte[] token = "lt_gCnjX6BPOpY5bEXBvxgyhL8v46gMw_8R".getBytes(StandardCharsets.UTF_8);
        assertEquals(BuiltInPartitioner.partitionForKey(token, 12), LogPartitions.of(token, 12));
    }
}
