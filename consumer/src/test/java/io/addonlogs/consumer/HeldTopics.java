package io.addonlogs.consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Test hook: a Kafka client interceptor that holds the records of a topic until the test releases it. A service
 * started with {@code KAFKA_INTERCEPTOR_CLASSES} naming this class (the services' own {@code KAFKA_*} pass-through:
 * nothing in the main code knows of it) gets it on each of its Kafka clients; a consumer whose fetch brings records
 * of a {@linkplain #hold held} topic waits in {@code poll()}, on its own thread, before it returns them. So "this
 * instance has not read the registry to its end yet" lasts exactly until the test says, however fast the machine,
 * with no sleep. Records of other topics, and producers, pass untouched.
 */
public final class HeldTopics implements ConsumerInterceptor<Object, Object>, ProducerInterceptor<Object, Object> {

    /** The variable that installs it on every Kafka client of a service. */
    static final String VARIABLE = "KAFKA_INTERCEPTOR_CLASSES";
    /** A held consumer gives up waiting after this (the test has failed or forgotten to release). */
    private static final Duration MAX_HOLD = Duration.ofMinutes(2);
    private static final Map<String, Hold> HELD = new ConcurrentHashMap<>();

    /** Instantiated by the Kafka client. */
    public HeldTopics() {
    }

    /** Holds {@code topic}'s records in every consumer of a service that has this interceptor, until released. */
    static Hold hold(String topic) {
        Hold hold = new Hold(topic);
        assertTrue(HELD.putIfAbsent(topic, hold) == null, topic + " is held already");
        return hold;
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        for (TopicPartition partition : records.partitions()) {
            Hold hold = HELD.get(partition.topic());
            if (hold != null) {
                hold.block();
            }
        }
        return records;
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }

    /** One held topic: {@link #awaitHeld} until a consumer waits on it, {@link #release} to let it go. */
    static final class Hold implements AutoCloseable {

        private final String topic;
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Hold(String topic) {
            this.topic = topic;
        }

        /** Waits (30 s at most) until a consumer has fetched records of the topic and waits to return them. */
        void awaitHeld() throws InterruptedException {
            assertTrue(reached.await(30, TimeUnit.SECONDS), "no consumer fetched " + topic + " within 30 s");
        }

        /** On a consumer's thread: waits for the release. */
        private void block() {
            reached.countDown();
            try {
                released.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Releases the topic: held consumers return their records, later fetches pass. */
        void release() {
            HELD.remove(topic, this);
            released.countDown();
        }

        /** Releases it (if the test has not), so that nothing stays held past the test. */
        @Override
        public void close() {
            release();
        }
    }
}
