package io.addonlogs.consumer.kafka;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Holds the live lines of add-ons with many viewers for a few milliseconds, so that each of their viewers gets one
 * larger write instead of one per poll: a shared batch costs every viewer a socket write, and at 1,000 viewers of an
 * add-on whose batches are one POST of 10 lines, those writes were most of the consumer's CPU (docs/BENCHMARKS.md).
 * An add-on with fewer viewers is never held: its lines go out as they come. Lines keep their order: an add-on's held
 * lines go out before any later line of it. Used by the live reader's thread only.
 */
public final class FanOutBatcher {

    /** An add-on's held lines go out at once beyond this many bytes, whatever their age. */
    static final long MAX_HELD_BYTES = 1 << 20;

    /** An add-on's held lines, in order, and when the first of them is due. */
    private static final class Held {
        final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        final long due;
        long bytes;

        Held(long due) {
            this.due = due;
        }
    }

    private final long holdNanos;
    private final int minViewers;
    /** In the order they were first held, which is the order they are due. */
    private final Map<String, Held> held = new LinkedHashMap<>();
    /** Bytes of all held lines: written by the reader's thread, read by metrics. */
    private volatile long heldBytes;

    /** {@code holdMillis}: how long an add-on's first held line waits at most (0: never hold). */
    public FanOutBatcher(long holdMillis, int minViewers) {
        this.holdNanos = holdMillis * 1_000_000;
        this.minViewers = minViewers;
    }

    /**
     * Hands the add-on's lines to {@code send} now (after those held before them), or holds them if the add-on has
     * {@code viewers} enough to be worth it, until they are due or weigh {@link #MAX_HELD_BYTES}.
     */
    void offer(String addonId, List<ConsumerRecord<byte[], byte[]>> lines, int viewers, long now,
               BiConsumer<String, List<ConsumerRecord<byte[], byte[]>>> send) {
        Held before = held.get(addonId);
        if (holdNanos <= 0 || viewers < minViewers) {
            if (before == null) {
                send.accept(addonId, lines);
            } else {
                release(addonId);
                before.records.addAll(lines);
                send.accept(addonId, before.records);
            }
            return;
        }
        Held holding = before != null ? before : new Held(now + holdNanos);
        if (before == null) {
            held.put(addonId, holding); // due after every add-on held before it
        }
        holding.records.addAll(lines);
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> record : lines) {
            bytes += Math.max(0, record.serializedValueSize());
        }
        holding.bytes += bytes;
        heldBytes += bytes;
        if (holding.bytes >= MAX_HELD_BYTES) {
            send.accept(addonId, release(addonId).records);
        }
    }

    /** Hands every held add-on whose lines are due to {@code send}. */
    void sendDue(long now, BiConsumer<String, List<ConsumerRecord<byte[], byte[]>>> send) {
        for (Iterator<Map.Entry<String, Held>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Held> entry = it.next();
            if (entry.getValue().due - now > 0) {
                return;
            }
            it.remove();
            heldBytes -= entry.getValue().bytes;
            send.accept(entry.getKey(), entry.getValue().records);
        }
    }

    /** Hands what is held for the add-on to {@code send} now, if anything is. */
    void sendNow(String addonId, BiConsumer<String, List<ConsumerRecord<byte[], byte[]>>> send) {
        Held holding = release(addonId);
        if (holding != null) {
            send.accept(addonId, holding.records);
        }
    }

    /** Drops what is held for an add-on nobody watches any more. */
    void drop(String addonId) {
        release(addonId);
    }

    /** Bytes of the lines held now, all add-ons together. */
    long heldBytes() {
        return heldBytes;
    }

    /** No longer holds the add-on's lines; what was held, or null. */
    private Held release(String addonId) {
        Held holding = held.remove(addonId);
        if (holding != null) {
            heldBytes -= holding.bytes;
        }
        return holding;
    }

    /** How long the reader may wait for new lines before some held ones are due: at most {@code max}. */
    long waitMillis(long max, long now) {
        if (held.isEmpty()) {
            return max;
        }
        long due = held.values().iterator().next().due;
        return Math.max(0, Math.min(max, (due - now + 999_999) / 1_000_000));
    }
}
