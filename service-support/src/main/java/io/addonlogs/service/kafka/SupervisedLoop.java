package io.addonlogs.service.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named background loop over a {@link Consumer} that does not die silently: each attempt gets a fresh consumer
 * (the old one may be unusable after the error) and runs the body on this loop's one thread; an error is
 * classified by {@link LoopErrors}: a retriable one is logged as one line and the loop starts over after an
 * exponential back-off, a fatal one stops it in {@link State#FAILED}. Its {@link #status()} feeds the management
 * server: not ready unless {@link State#RUNNING} (the body says when it has caught up), not live once failed.
 *
 * <pre>
 *   STARTING --caughtUp()--> RUNNING
 *   STARTING | RUNNING --retriable error--> RESTARTING --back-off--> STARTING
 *   STARTING | RUNNING --fatal error--> FAILED
 *   any but FAILED --close()--> STOPPING --> STOPPED
 * </pre>
 */
public final class SupervisedLoop<C extends Consumer<?, ?>> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SupervisedLoop.class);

    public enum State {
        /** An attempt runs and has not caught up yet (first start, or after a restart). */
        STARTING,
        /** The body has caught up and is doing its job. */
        RUNNING,
        /** The last attempt failed with a retriable error; the next starts after the back-off. */
        RESTARTING,
        /** Failed with a fatal error: stopped for good, the process is not live. */
        FAILED,
        /** {@link #close()} was called; the body is being woken. */
        STOPPING,
        STOPPED;

        boolean canMoveTo(State next) {
            return switch (this) {
                case STARTING -> next != STARTING;
                case RUNNING -> next != STARTING && next != RUNNING;
                case RESTARTING -> next == STARTING || next == STOPPING;
                case STOPPING -> next == STOPPED;
                case FAILED, STOPPED -> false;
            };
        }
    }

    /**
     * The loop's state since {@code since}; {@code cause} is the error that made it restart or fail (null
     * otherwise); {@code restarts} counts restarts so far.
     */
    public record Status(State state, Instant since, Throwable cause, int restarts) {
        @Override
        public String toString() {
            return state + " since " + since + (cause == null ? "" : " (" + cause + ")");
        }
    }

    /** The wait before restart number {@code n} (1, 2, ...): {@code initial} doubled each time, at most {@code max}. */
    public record Backoff(Duration initial, Duration max) {
        public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

        public Duration before(int restart) {
            long millis = initial.toMillis() << Math.min(restart - 1, 20);
            return Duration.ofMillis(Math.min(millis, max.toMillis()));
        }
    }

    /** One attempt's work: runs until {@code attempt.running()} is false, or throws. */
    @FunctionalInterface
    public interface Body<C> {
        void run(C consumer, Attempt attempt) throws InterruptedException;
    }

    /** What the body sees of its supervisor. */
    public static final class Attempt {
        private final SupervisedLoop<?> loop;
        private final Consumer<?, ?> consumer;

        private Attempt(SupervisedLoop<?> loop, Consumer<?, ?> consumer) {
            this.loop = loop;
            this.consumer = consumer;
        }

        /** False once the loop is closing; the body's checkpoint, where an {@linkplain #injectFailure injected} error is thrown. */
        public boolean running() {
            RuntimeException injected = loop.injected.getAndSet(null);
            if (injected != null) {
                throw injected;
            }
            State state = loop.status.state();
            return state == State.STARTING || state == State.RUNNING;
        }

        /** The body has caught up: the loop is {@link State#RUNNING} (ready) and the back-off starts over. */
        public void caughtUp() {
            if (loop.status.state() == State.STARTING) {
                loop.move(State.RUNNING, null);
            }
        }

        /** The topic's partitions, asking again until the topic exists; {@link WakeupException} once closing. */
        public List<TopicPartition> awaitPartitions(String topic) {
            return ConsumerThread.awaitPartitions(consumer, topic, loop.name, this::running,
                    delay -> loop.waitWhile(delay, State.STARTING, State.RUNNING));
        }
    }

    private final String name;
    private final Supplier<C> newConsumer;
    private final Body<C> body;
    private final Backoff backoff;
    private final Thread thread;
    private final Object lock = new Object();
    private final AtomicReference<RuntimeException> injected = new AtomicReference<>();
    private volatile Status status = new Status(State.STARTING, Instant.now(), null, 0);
    private volatile C current;

    public SupervisedLoop(String name, Supplier<C> newConsumer, Body<C> body, Backoff backoff) {
        this.name = name;
        this.newConsumer = newConsumer;
        this.body = body;
        this.backoff = backoff;
        this.thread = new Thread(this::supervise, name);
        this.thread.setDaemon(true);
    }

    /** Starts the loop's thread; returns this. */
    public SupervisedLoop<C> start() {
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    public Status status() {
        return status;
    }

    /** Readiness: running and caught up. */
    public boolean ready() {
        return status.state() == State.RUNNING;
    }

    /** Liveness: anything but failed. */
    public boolean alive() {
        return status.state() != State.FAILED;
    }

    /**
     * For tests and drills: the body's next {@link Attempt#running()} check throws {@code error} on the loop's thread,
     * which then handles it as it would a real one.
     */
    public void injectFailure(RuntimeException error) {
        injected.set(error);
    }

    private void supervise() {
        int failures = 0;
        while (true) {
            Throwable error = attempt();
            if (error == null) {
                move(State.STOPPED, null);
                return;
            }
            if (LoopErrors.classify(error) == LoopErrors.Kind.FATAL) {
                LOG.error("{} stopped for good on a fatal error; this instance reports not live", name, error);
                move(State.FAILED, error);
                return;
            }
            failures = status.state() == State.RUNNING ? 1 : failures + 1;
            Duration delay = backoff.before(failures);
            if (!move(State.RESTARTING, error)) {
                move(State.STOPPED, null);
                return;
            }
            LOG.warn("{} failed ({}); restart {} with a fresh consumer in {} ms", name, error, status.restarts(),
                    delay.toMillis());
            if (!waitOut(delay) || !move(State.STARTING, null)) {
                move(State.STOPPED, null);
                return;
            }
        }
    }

    /** Runs the body once with a fresh consumer: null if it ended because the loop is closing, else the error. */
    private Throwable attempt() {
        C consumer;
        try {
            consumer = newConsumer.get();
        } catch (RuntimeException e) {
            return e;
        }
        current = consumer;
        if (status.state() == State.STOPPING) {
            consumer.wakeup(); // close() ran before current was set
        }
        try {
            body.run(consumer, new Attempt(this, consumer));
            return status.state() == State.STOPPING ? null
                    : new IllegalStateException(name + " returned while not closing");
        } catch (WakeupException | InterruptException | InterruptedException e) {
            return status.state() == State.STOPPING ? null : e;
        } catch (RuntimeException | Error e) {
            return e;
        } finally {
            current = null;
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                LOG.warn("{}: closing its consumer failed ({})", name, e.toString());
            }
        }
    }

    /** Waits {@code delay} unless closed meanwhile; false if closed. */
    private boolean waitOut(Duration delay) {
        return waitWhile(delay, State.RESTARTING);
    }

    /** Waits {@code delay} while the loop stays in one of {@code states}; false if it left them (closed). */
    private boolean waitWhile(Duration delay, State... states) {
        long end = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            while (List.of(states).contains(status.state())) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }

    /** The one transition method: false (and no change) if the current state cannot move there. */
    private boolean move(State next, Throwable cause) {
        synchronized (lock) {
            Status now = status;
            if (!now.state().canMoveTo(next)) {
                return false;
            }
            int restarts = now.restarts() + (next == State.RESTARTING ? 1 : 0);
            status = new Status(next, Instant.now(), cause, restarts);
            lock.notifyAll();
            return true;
        }
    }

    /** Stops the loop (waking the consumer if it is in a call) and waits up to 10 s for its thread to end. */
    @Override
    public void close() {
        move(State.STOPPING, null);
        C consumer = current;
        if (consumer != null) {
            consumer.wakeup();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
