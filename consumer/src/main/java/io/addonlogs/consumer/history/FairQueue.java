package io.addonlogs.consumer.history;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A queue served round-robin by key: each {@link #take} serves the next key in turn, oldest item first, so a key with
 * a hundred items waiting delays another key's first item by one item, not a hundred. A key has at most
 * {@code maxInFlight} items taken and not yet {@link #done}: with fewer of those than the threads taking, one key
 * never holds every thread, and another key's item finds one free.
 */
final class FairQueue<T> {

    /** An item and the key it was queued under (give it back to {@link #done} once served). */
    record Taken<T>(String key, T item) {
    }

    private final int maxInFlight;
    private final LinkedHashMap<String, ArrayDeque<T>> byKey = new LinkedHashMap<>();
    private final Map<String, Integer> inFlight = new HashMap<>();

    FairQueue(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    synchronized void add(String key, T item) {
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).add(item);
        notifyAll();
    }

    /** The next item in turn whose key is under its in-flight cap, waiting up to {@code timeout}; null if none came. */
    synchronized Taken<T> take(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (;;) {
            Iterator<Map.Entry<String, ArrayDeque<T>>> turns = byKey.entrySet().iterator();
            while (turns.hasNext()) {
                Map.Entry<String, ArrayDeque<T>> turn = turns.next();
                if (inFlight.getOrDefault(turn.getKey(), 0) >= maxInFlight) {
                    continue;
                }
                T item = turn.getValue().poll();
                turns.remove();
                if (!turn.getValue().isEmpty()) {
                    byKey.put(turn.getKey(), turn.getValue()); // to the back of the line
                }
                inFlight.merge(turn.getKey(), 1, Integer::sum);
                return new Taken<>(turn.getKey(), item);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The item taken under {@code key} was served: the key may have another taken. */
    synchronized void done(String key) {
        inFlight.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
        notifyAll();
    }

    synchronized void clear() {
        byKey.clear();
    }
}
