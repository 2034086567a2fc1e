package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The live reader stops fetching while its subscribers have not handled what they got: memory stays bounded. */
class LiveReaderBackPressureTest {

    @Test
    void waitsForSubscribersBeforeFetchingMore() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        String topic = "live-bp-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        ConcurrentLinkedQueue<Runnable> unhandled = new ConcurrentLinkedQueue<>();
        AtomicInteger received = new AtomicInteger();
        AtomicInteger batches = new AtomicInteger();
        LiveReader.Subscriber<List<ConsumerRecord<byte[], byte[]>>> slow = new LiveReader.Subscriber<>() {
            @Override
            public String addonId() {
                return "addon_bp";
            }

            @Override
            public void onLive(List<ConsumerRecord<byte[], byte[]>> records, Runnable handled) {
                received.addAndGet(records.size());
                batches.incrementAndGet();
                unhandled.add(handled);
            }
        };
        try (LiveReader<List<ConsumerRecord<byte[], byte[]>>> reader = new LiveReader<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
                new SimpleMeterRegistry(), new AsTheyAre(), new FanOutBatcher(0, 1), 1)) {
            Await.until(() -> reader.partitionCount() == 1, "reader started");
            reader.subscribe(slow, Set.of(0)).get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 50; i++) {
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null,
                            ("line " + i).getBytes(StandardCharsets.UTF_8));
                    record.headers().add("addon-id", "addon_bp".getBytes(StandardCharsets.UTF_8));
                    // one record per request, so that they do not all arrive in the first fetch
                    producer.send(record).get(10, TimeUnit.SECONDS);
                }
            }
            Await.until(() -> batches.get() >= 1, "a first batch");
            int seen = received.get();
            Thread.sleep(1000); // the reader would fetch the rest within a poll (100 ms) if it did not wait
            assertEquals(1, batches.get(), "nothing more while the first batch is unhandled");
            assertEquals(seen, received.get());

            while (received.get() < 50) { // handle what came; the reader fetches the rest batch by batch
                Runnable handled = unhandled.poll();
                if (handled != null) {
                    handled.run();
                } else {
                    Thread.sleep(10);
                }
                Await.until(() -> !unhandled.isEmpty() || received.get() == 50, "the next batch");
            }
            assertEquals(50, received.get());
        }
    }
}
