package io.addonlogs.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void sharedKafkaStoresWhatIsProducedWithAcksAll() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        kafka.createTopic("harness-roundtrip", 2);

        KafkaRoundTrip.produce(kafka.bootstrapServers(), "harness-roundtrip", "k", "v1");
        var meta = KafkaRoundTrip.produce(kafka.bootstrapServers(), "harness-roundtrip", "k", "v2");

        assertEquals(List.of("k=v1", "k=v2"),
                KafkaRoundTrip.readAll(kafka.bootstrapServers(), "harness-roundtrip", meta.partition(), 2));
    }

    @Test
    void persistentBrokerKeepsClusterIdAndDataAcrossRestarts(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startPersistent(data, 0, Map.of())) {
            String clusterId = broker.clusterId();
            broker.createTopic("restart", 1);
            KafkaRoundTrip.produce(broker.bootstrapServers(), "restart", "a", "before");

            broker.stop();
            assertFalse(broker.isRunning());
            broker.start();

            assertEquals(clusterId, broker.clusterId());
            KafkaRoundTrip.produce(broker.bootstrapServers(), "restart", "a", "after");
            assertEquals(List.of("a=before", "a=after"),
                    KafkaRoundTrip.readAll(broker.bootstrapServers(), "restart", 0, 2));
        }
        assertTrue(Files.exists(data.resolve("meta.properties")), "a persistent broker keeps its data");
    }

    @Test
    void aSecondBrokerOnTheSameDirectoryIsRefusedUntilTheFirstCloses(@TempDir Path dir) {
        Path data = dir.resolve("kafka");
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.startPersistent(data, 0, Map.of())) {
            assertThrows(DataDirLock.DataDirInUseException.class,
                    () -> EmbeddedKafkaBroker.startPersistent(data, 0, Map.of()));
            assertTrue(first.isRunning());
        }
        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.startPersistent(data, 0, Map.of())) {
            assertTrue(again.isRunning());
        }
    }

    @Test
    void temporaryBrokerRemovesItsDirectory() {
        Path data;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            data = broker.dataDir();
            assertTrue(Files.exists(data));
        }
        assertFalse(Files.exists(data));
    }
}
