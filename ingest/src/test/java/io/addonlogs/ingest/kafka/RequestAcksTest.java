package io.addonlogs.ingest.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * One request's acknowledgement count: {@link RequestAcks#pending()} is what the request's Kafka timer looks at, and
 * the listener is called on the request's context, once.
 */
class RequestAcksTest {

    private final Vertx vertx = Vertx.vertx();
    private final Context context = vertx.getOrCreateContext();
    private final BlockingQueue<Object> calls = new LinkedBlockingQueue<>();
    private final RequestAcks acks = new RequestAcks(context, new RequestAcks.Listener() {
        @Override
        public void allAcknowledged() {
            calls.add(Context.isOnEventLoopThread() && Vertx.currentContext() == context ? "all" : "all, wrong thread");
        }

        @Override
        public void failed(Exception cause) {
            calls.add(Vertx.currentContext() == context ? cause : "failed, wrong thread");
        }
    });

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Runs on the request's context, as the request does, and waits. */
    private <T> T onContext(java.util.function.Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(v -> result.complete(action.get()));
        return result.get(10, TimeUnit.SECONDS);
    }

    private Object nextCall() throws InterruptedException {
        return calls.poll(10, TimeUnit.SECONDS);
    }

    @Test
    void nothingPendingBeforeAnyRecord() throws Exception {
        assertEquals(0, (int) onContext(acks::pending));
    }

    @Test
    void whileTheBodyIsReadEachSentRecordIsPending() throws Exception {
        acks.sent();
        acks.sent();
        assertEquals(2, (int) onContext(acks::pending));
        acks.acknowledged(null);
        assertEquals(1, (int) onContext(acks::pending));
        assertNull(calls.poll(100, TimeUnit.MILLISECONDS), "the body is not done: no verdict yet");
    }

    @Test
    void oneUnacknowledgedRecordAfterTheBodyEndedIsPending() throws Exception {
        acks.sent();
        assertEquals(1, (int) onContext(() -> {
            acks.bodyDone();
            return acks.pending();
        }), "the one record still owed by Kafka must start the request's Kafka timer");
        acks.acknowledged(null);
        assertEquals("all", nextCall());
        assertEquals(0, (int) onContext(acks::pending));
    }

    @Test
    void severalUnacknowledgedRecordsAfterTheBodyEndedArePending() throws Exception {
        acks.sent();
        acks.sent();
        acks.sent();
        acks.acknowledged(null);
        assertEquals(2, (int) onContext(() -> {
            acks.bodyDone();
            return acks.pending();
        }));
        acks.acknowledged(null);
        assertEquals(1, (int) onContext(acks::pending));
        acks.acknowledged(null);
        assertEquals("all", nextCall());
    }

    @Test
    void bodyDoneWithEverythingAcknowledgedAnswersAtOnce() throws Exception {
        acks.sent();
        acks.acknowledged(null);
        assertEquals(0, (int) onContext(() -> {
            acks.bodyDone();
            return acks.pending();
        }));
        assertEquals("all", nextCall());
        assertNull(calls.poll(100, TimeUnit.MILLISECONDS), "called once");
    }

    @Test
    void theFirstFailureIsReportedOnceOnTheContext() throws Exception {
        acks.sent();
        acks.sent();
        Exception first = new IllegalStateException("first");
        Thread kafkaIo = new Thread(() -> {
            acks.acknowledged(first);
            acks.acknowledged(new IllegalStateException("second"));
        });
        kafkaIo.start();
        kafkaIo.join();
        assertSame(first, nextCall());
        onContext(() -> {
            acks.bodyDone();
            return null;
        });
        assertEquals("all", nextCall(), "the count still ends: the request decides what a failure means");
        assertNull(calls.poll(100, TimeUnit.MILLISECONDS));
    }
}
