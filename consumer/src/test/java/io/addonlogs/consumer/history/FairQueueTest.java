package io.addonlogs.consumer.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** Round-robin by key, and a key never holds more items in flight than its cap, however many it has queued. */
class FairQueueTest {

    @Test
    void keysTakeTurnsOldestItemFirst() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(10);
        queue.add("a", "a1");
        queue.add("a", "a2");
        queue.add("a", "a3");
        queue.add("b", "b1");
        assertEquals("a1", take(queue));
        assertEquals("b1", take(queue));
        assertEquals("a2", take(queue));
        assertEquals("a3", take(queue));
        assertNull(queue.take(10, TimeUnit.MILLISECONDS));
    }

    @Test
    void aKeyAtItsCapWaitsAndLeavesTheThreadsToOthers() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(1);
        for (int i = 1; i <= 100; i++) {
            queue.add("attacker", "a" + i);
        }
        FairQueue.Taken<String> first = queue.take(10, TimeUnit.MILLISECONDS);
        assertEquals("a1", first.item());
        assertNull(queue.take(10, TimeUnit.MILLISECONDS), "the attacker is at its cap: nothing for a second thread");
        queue.add("other", "o1");
        assertEquals("o1", take(queue), "another key's item finds the free thread at once");
        queue.done(first.key());
        assertEquals("a2", take(queue), "once served, the key has its next turn");
    }

    @Test
    void aWaitingTakerIsWokenWhenAKeyComesBelowItsCap() throws Exception {
        FairQueue<String> queue = new FairQueue<>(1);
        queue.add("a", "a1");
        queue.add("a", "a2");
        FairQueue.Taken<String> first = queue.take(10, TimeUnit.MILLISECONDS);
        AtomicReference<FairQueue.Taken<String>> second = new AtomicReference<>();
        AtomicLong waited = new AtomicLong();
        Thread taker = new Thread(() -> {
            long start = System.nanoTime();
            try {
                second.set(queue.take(30, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            waited.set(System.nanoTime() - start);
        });
        taker.start();
        while (taker.getState() != Thread.State.TIMED_WAITING) { // the taker waits: "a" is at its cap
            Thread.onSpinWait();
        }
        queue.done(first.key());
        taker.join();
        assertEquals("a2", second.get().item());
        // woken by done(), not by its own timeout (which would also find a2)
        assertTrue(waited.get() < TimeUnit.SECONDS.toNanos(15), "waited " + waited.get() / 1_000_000 + " ms");
    }

    /** Takes and serves at once. */
    private static String take(FairQueue<String> queue) throws InterruptedException {
        FairQueue.Taken<String> taken = queue.take(10, TimeUnit.MILLISECONDS);
        queue.done(taken.key());
        return taken.item();
    }
}
