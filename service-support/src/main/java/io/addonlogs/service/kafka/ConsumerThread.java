package io.addonlogs.service.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns a {@link Consumer}: runs the owner's loop, closes the consumer when the loop ends, and
 * stops it with {@code wakeup()} from any thread ({@link #close()}). Used by the token registry follower and the
 * consumer service's live reader.
 */
public final class ConsumerThread implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerThread.class);

    private final Consumer<?, ?> consumer;
    private final Thread thread;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean running = true;

    private ConsumerThread(String name, Consumer<?, ?> consumer, java.util.function.Consumer<ConsumerThread> loop) {
        this.consumer = consumer;
        this.thread = new Thread(() -> {
            try {
                loop.accept(this);
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            }
        }, name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts {@code loop} on a daemon thread named {@code name}. The loop gets this object (to check
     * {@link #running()}), so it never reads a field its owner has not assigned yet.
     */
    public static ConsumerThread start(String name, Consumer<?, ?> consumer,
                                       java.util.function.Consumer<ConsumerThread> loop) {
        ConsumerThread started = new ConsumerThread(name, consumer, loop);
        started.thread.start();
        return started;
    }

    public boolean running() {
        return running;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    /**
     * The topic's partitions, asking again until the topic exists and Kafka answers; while Kafka refuses this client
     * ({@link AccessDenied}), asking every {@link AccessDenied#RETRY} with one log line each time. Throws
     * {@link WakeupException} once {@link #close()} was called.
     */
    public List<TopicPartition> awaitPartitions(String topic) {
        return awaitPartitions(consumer, topic, thread.getName(), this::running, this::pause);
    }

    /**
     * {@link #awaitPartitions(String)} for a consumer of {@code client}'s: {@code pause} waits, or less once the owner
     * closes (false then).
     */
    static List<TopicPartition> awaitPartitions(Consumer<?, ?> consumer, String topic, String client,
                                                BooleanSupplier running, Predicate<Duration> pause) {
        // a missing topic is answered at once: ask again every second and say so every 30 s, not in a busy loop
        for (int attempt = 0; running.getAsBoolean(); attempt++) {
            Duration wait = Duration.ofSeconds(1);
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
                }
                if (attempt % 30 == 0) {
                    LOG.warn("Topic {} does not exist yet; retrying", topic);
                }
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                Optional<RuntimeException> denied = AccessDenied.in(e);
                if (denied.isPresent()) {
                    AccessDenied.log(LOG, client, denied.get());
                    wait = AccessDenied.RETRY;
                } else if (attempt % 30 == 0) {
                    LOG.warn("Cannot read metadata of topic {} yet ({}); retrying", topic, e.toString());
                }
            }
            if (!pause.test(wait)) {
                break;
            }
        }
        throw new WakeupException();
    }

    /** Waits {@code time}, or less if {@link #close()} is called meanwhile; false once closed. */
    private boolean pause(Duration time) {
        try {
            return !closing.await(time.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        }
    }
    /** Stops the loop (waking the consumer if it is in a call) and waits up to 10 s for the thread to end. */
    @Override
    public void close() {
        running = false;
        closing.countDown();
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
