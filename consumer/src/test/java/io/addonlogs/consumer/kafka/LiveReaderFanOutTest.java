package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

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

/**
 * An add-on with enough viewers gets the lines of several polls in one batch, every line once and in order; a viewer
 * that subscribes while lines are held gets exactly the lines from the offset its subscription answered.
 */
class LiveReaderFanOutTest {

    /** One subscriber: the batches it got, as their offsets. */
    static final class Batches implements LiveReader.Subscriber<List<ConsumerRecord<byte[], byte[]>>> {
        final List<List<Long>> batches = new CopyOnWriteArrayList<>();

        @Override
        public String addonId() {
            return "addon_fan";
        }

        @Override
        public void onLive(List<ConsumerRecord<byte[], byte[]>> batch, Runnable handled) {
            batches.add(batch.stream().map(ConsumerRecord::offset).toList());
            handled.run();
        }

        List<Long> offsets() {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    @Test
    void manyViewersGetFewerLargerBatchesAndANewViewerExactlyFromItsStart() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        String topic = "live-fan-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (LiveReader<List<ConsumerRecord<byte[], byte[]>>> reader = new LiveReader<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, new SimpleMeterRegistry(), new AsTheyAre(),
                new FanOutBatcher(2000, 2));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            Await.until(() -> reader.partitionCount() == 1, "reader started");
            Batches first = new Batches();
            Batches second = new Batches();
            assertEquals(0L, reader.subscribe(first, Set.of(0)).get(30, TimeUnit.SECONDS).get(0));
            assertEquals(0L, reader.subscribe(second, Set.of(0)).get(30, TimeUnit.SECONDS).get(0));

            for (int i = 0; i < 10; i++) { // one line a produce request: ten polls' worth
                send(producer, topic, i);
                Thread.sleep(20); // pacing only: the lines come over about 200 ms, within the 2 s hold
            }
            Await.until(() -> first.offsets().size() == 10 && second.offsets().size() == 10, "every line delivered");
            List<Long> all = LongStream.range(0, 10).boxed().toList();
            assertEquals(all, first.offsets());
            assertEquals(all, second.offsets());
            assertTrue(first.batches.size() <= 2, "ten polls' lines in at most two batches: " + first.batches);

            for (int i = 10; i < 13; i++) {
                send(producer, topic, i);
            }
            Await.until(() -> reader.heldBytes() == 3 * "line 10".length(), "the reader holds lines 10-12 (for 2 s)");
            Batches late = new Batches();
            long from = reader.subscribe(late, Set.of(0)).get(30, TimeUnit.SECONDS).get(0);
            assertEquals(13L, from);
            send(producer, topic, 13);
            Await.until(() -> first.offsets().size() == 14 && late.offsets().contains(13L), "line 13 delivered");
            assertEquals(List.of(13L), late.offsets(), "the late viewer gets nothing before its start");
            assertEquals(LongStream.range(0, 14).boxed().toList(), first.offsets());
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int i) throws Exception {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null,
                ("line " + i).getBytes(StandardCharsets.UTF_8));
        record.headers().add("addon-id", "addon_fan".getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(10, TimeUnit.SECONDS);
    }
}
