package io.addonlogs.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MultiBrokerKafkaTest {

    private static MultiBrokerKafka kafka;

    @BeforeAll
    static void start() {
        kafka = MultiBrokerKafka.start(3, Map.of());
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void producesWithOneBrokerOfThreeDownAndRefusesWithTwoDown() throws Exception {
        assertEquals(Set.of(0, 1, 2), kafka.brokerIds());
        kafka.createTopic("rf3", 1, (short) 3, Map.of("min.insync.replicas", "2"));
        KafkaRoundTrip.produce(kafka.bootstrapServers(), "rf3", "k", "all-up");

        kafka.stopBroker(1);
        KafkaRoundTrip.produce(kafka.bootstrapServers(), "rf3", "k", "one-down");

        kafka.stopBroker(2);
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> KafkaRoundTrip.produce(kafka.bootstrapServers(), "rf3", "k", "two-down", Duration.ofSeconds(5)));
        // acks=all with min ISR 2 and one replica left: the broker refuses (or the delivery times out).
        if (!(refused.getCause() instanceof TimeoutException)) {
            assertInstanceOf(NotEnoughReplicasException.class, refused.getCause());
        }

        kafka.startBroker(1);
        kafka.startBroker(2);
        KafkaRoundTrip.produce(kafka.bootstrapServers(), "rf3", "k", "back");

        List<String> stored = KafkaRoundTrip.readAll(kafka.bootstrapServers(), "rf3", 0, 3);
        assertEquals(List.of("k=all-up", "k=one-down", "k=back"), stored);
    }
}
