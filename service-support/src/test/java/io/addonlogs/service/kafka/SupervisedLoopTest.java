package io.addonlogs.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.KafkaCluster;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.kafka.SupervisedLoop.Backoff;
import io.addonlogs.service.kafka.SupervisedLoop.State;

/** The supervisor over a real broker: a body that assigns a topic's partitions and polls, failures injected. */
class SupervisedLoopTest {

    private static KafkaCluster kafka;
    private static final String TOPIC = "supervised-" + UUID.randomUUID();
    private final AtomicInteger consumersMade = new AtomicInteger();

    @BeforeAll
    static void topic() {
        kafka = TestKafka.shared();
        kafka.createTopic(TOPIC, 2);
    }

    private KafkaConsumer<byte[], byte[]> newConsumer() {
        consumersMade.incrementAndGet();
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop(Backoff backoff) {
        return new SupervisedLoop<>("test-loop", this::newConsumer, (consumer, attempt) -> {
            consumer.assign(attempt.awaitPartitions(TOPIC));
            attempt.caughtUp();
            while (attempt.running()) {
                consumer.poll(Duration.ofMillis(50));
            }
        }, backoff).start();
    }

    @Test
    void aRetriableErrorRestartsWithAFreshConsumerAfterOneLogLine() {
        Logger logger = (Logger) LoggerFactory.getLogger(SupervisedLoop.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try (SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop = loop(new Backoff(Duration.ofMillis(10),
                Duration.ofMillis(10)))) {
            Await.until(loop::ready, "running");
            assertEquals(1, consumersMade.get());
            loop.injectFailure(new DisconnectException("injected"));
            Await.until(() -> loop.status().restarts() == 1 && loop.ready(), "restarted and running again");
            assertEquals(2, consumersMade.get(), "a fresh consumer for the new attempt");
            assertTrue(loop.alive());
            assertNull(loop.status().cause(), "running again: no cause");
        } finally {
            logger.detachAppender(lines);
        }
        List<ILoggingEvent> warnings = lines.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertNull(warnings.get(0).getThrowableProxy(), "one line, no stack trace");
        assertTrue(warnings.get(0).getFormattedMessage().contains("test-loop failed ("
                + DisconnectException.class.getName() + ": injected); restart 1"), warnings.get(0).getFormattedMessage());
    }

    @Test
    void whileWaitingToRestartItIsLiveButNotReadyAndCloseEndsTheWait() {
        SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop = loop(new Backoff(Duration.ofMinutes(10),
                Duration.ofMinutes(10)));
        Await.until(loop::ready, "running");
        TimeoutException error = new TimeoutException("injected");
        loop.injectFailure(error);
        Await.until(() -> loop.status().state() == State.RESTARTING, "restarting");
        assertFalse(loop.ready());
        assertTrue(loop.alive());
        assertSame(error, loop.status().cause());
        long start = System.nanoTime();
        loop.close();
        assertEquals(State.STOPPED, loop.status().state());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "close does not wait the back-off");
        assertEquals(1, consumersMade.get());
    }

    @Test
    void aFatalErrorStopsTheLoopForGoodAndItIsNotLive() {
        try (SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop = loop(new Backoff(Duration.ofMillis(10),
                Duration.ofMillis(10)))) {
            Await.until(loop::ready, "running");
            TopicAuthorizationException denied = new TopicAuthorizationException("injected: not allowed");
            loop.injectFailure(denied);
            Await.until(() -> !loop.alive(), "failed");
            assertEquals(State.FAILED, loop.status().state());
            assertSame(denied, loop.status().cause());
            assertFalse(loop.ready());
            assertEquals(1, consumersMade.get(), "no restart after a fatal error");
        }
    }

    @Test
    void closeStopsARunningLoop() {
        SupervisedLoop<KafkaConsumer<byte[], byte[]>> loop = loop(Backoff.DEFAULT);
        Await.until(loop::ready, "running");
        loop.close();
        assertEquals(State.STOPPED, loop.status().state());
        assertTrue(loop.alive(), "stopping on purpose is not a failure");
    }

    @Test
    void backoffDoublesUpToItsCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), List.of(1, 2, 3, 4, 5, 6, 60).stream()
                .map(n -> backoff.before(n).toSeconds()).toList());
    }

    @Test
    void errorsAreClassifiedAsKafkasExamplesDo() {
        for (Throwable retry : List.of(new DisconnectException("x"), new TimeoutException("x"),
                new OffsetOutOfRangeException("x", Map.of()), new KafkaException("x"))) {
            assertEquals(LoopErrors.Kind.RETRY, LoopErrors.classify(retry), retry.toString());
        }
        for (Throwable fatal : List.of(new SaslAuthenticationException("x"), new TopicAuthorizationException("x"),
                new InvalidTopicException("x"), new IllegalStateException("x"), new NullPointerException(),
                new OutOfMemoryError())) {
            assertEquals(LoopErrors.Kind.FATAL, LoopErrors.classify(fatal), fatal.toString());
        }
    }
}
