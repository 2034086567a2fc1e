package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * Subscriptions wake the reader's poll. Hundreds of them, made and dropped while lines flow, each get every line from
 * the offset their subscription answered, none twice, and the reader never restarts (a wakeup is not a failure). The
 * rarer case of a wakeup landing just after a poll, in a subscription's own Kafka calls, is not forced here: with the
 * command retry in {@code LiveReader.runCommand} removed, 3 runs of this test still passed.
 */
class LiveReaderSubscriptionTest {

    static final int LINES = 3000;
    static final int SUBSCRIPTIONS = 300;

    /** One subscription (a class, not a record: subscribers are told apart by identity), the offsets it got. */
    static final class Seen implements LiveReader.Subscriber<List<ConsumerRecord<byte[], byte[]>>> {
        private final List<Long> offsets = new CopyOnWriteArrayList<>();

        @Override
        public String addonId() {
            return "addon_sub";
        }

        List<Long> offsets() {
            return offsets;
        }

        @Override
        public void onLive(List<ConsumerRecord<byte[], byte[]>> batch, Runnable handled) {
            batch.forEach(record -> offsets.add(record.offset()));
            handled.run();
        }
    }

    @Test
    void subscriptionsMadeWhileLinesFlowGetEveryLineOnceWithoutRestartingTheReader() throws Exception {
        KafkaCluster kafka = TestKafka.shared();
        String topic = "live-sub-" + UUID.randomUUID();
        kafka.createTopic(topic, 1);
        try (LiveReader<List<ConsumerRecord<byte[], byte[]>>> reader = new LiveReader<>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, new SimpleMeterRegistry(), new AsTheyAre(),
                new FanOutBatcher(0, 1));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                     ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            Await.until(() -> reader.partitionCount() == 1, "reader started");
            Seen first = new Seen();
            assertEquals(0L, reader.subscribe(first, Set.of(0)).get(30, TimeUnit.SECONDS).get(0));

            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int i = 0; i < LINES; i++) {
                    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, 0, null,
                            ("line " + i).getBytes(StandardCharsets.UTF_8));
                    record.headers().add("addon-id", "addon_sub".getBytes(StandardCharsets.UTF_8));
                    producer.send(record);
                    if (i % 10 == 0) { // paces the load: lines arrive over many polls, for a second or so
                        producer.flush();
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                producer.flush();
                writing.set(false);
            }, "writer");
            writer.start();
            Await.until(() -> !first.offsets().isEmpty(), "lines flowing");

            List<Seen> kept = new ArrayList<>();
            List<Long> keptFrom = new ArrayList<>();
            List<Seen> dropped = new ArrayList<>();
            List<Long> droppedFrom = new ArrayList<>();
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                Seen seen = new Seen();
                long from = reader.subscribe(seen, Set.of(0)).get(30, TimeUnit.SECONDS).get(0);
                if (i % 2 == 0) {
                    kept.add(seen);
                    keptFrom.add(from);
                } else {
                    reader.unsubscribe(seen);
                    dropped.add(seen);
                    droppedFrom.add(from);
                }
            }
            writer.join(60_000);
            assertFalse(writing.get(), "every line written");
            Await.until(() -> first.offsets().size() == LINES, "the first subscriber got every line");

            assertEquals(0, reader.loop().status().restarts(), "the reader never restarted");
            assertTrue(keptFrom.get(kept.size() - 1) > keptFrom.get(0), "subscriptions were made while lines flowed");
            for (int i = 0; i < kept.size(); i++) {
                List<Long> offsets = kept.get(i).offsets();
                long from = keptFrom.get(i);
                Await.until(() -> offsets.size() == LINES - from, "a kept subscriber got the rest");
                for (int k = 0; k < offsets.size(); k++) {
                    assertEquals(from + k, offsets.get(k), "kept subscriber " + i);
                }
            }
            for (int i = 0; i < dropped.size(); i++) { // a prefix of what came after its start, in order
                List<Long> offsets = dropped.get(i).offsets();
                for (int k = 0; k < offsets.size(); k++) {
                    assertEquals(droppedFrom.get(i) + k, offsets.get(k), "dropped subscriber " + i);
                }
            }
        }
    }
}
