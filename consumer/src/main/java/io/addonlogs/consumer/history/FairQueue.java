package io.addonlogs.consumer.history;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A queue served round-robin by key: each {@link #take} serves the next key in turn, oldest item first, so a key with
 * a hundred items waiting delays another key's first item by one item, not a hundred.
 */
final class FairQueue<T> {

    private final LinkedHashMap<String, ArrayDeque<T>> byKey = new LinkedHashMap<>();

    synchronized void add(String key, T item) {
        byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).add(item);
        notifyAll();
    }

    /** The next item in turn, waiting up to {@code timeout}; null if none came. */
    synchronized T take(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (byKey.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Iterator<Map.Entry<String, ArrayDeque<T>>> first = byKey.entrySet().iterator();
        Map.Entry<String, ArrayDeque<T>> turn = first.next();
        T item = turn.getValue().poll();
        first.remove();
        if (!turn.getValue().isEmpty()) {
            byKey.put(turn.getKey(), turn.getValue()); // to the back of the line
        }
        return item;
    }

    synchronized void clear() {
        byKey.clear();
    }
}
