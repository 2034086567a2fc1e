package io.addonlogs.consumer.history;

import java.util.Map;
import java.util.TreeMap;

/**
 * One viewer's reading of an add-on's past lines, {@code [from, to)} of each of its partitions, taken one
 * {@link HistoryReader#read step} at a time. Holds the plan of each partition ({@link RangePlan}), made from the
 * index on the first step, and the records a full step fetched but could not hand over ({@link Leftovers}). Used by
 * one step at a time (the next step is asked for once the previous completed).
 */
public final class Replay {

    final String addonId;
    final long addon;
    final Map<Integer, Long> from;
    final Map<Integer, Long> to;
    final Map<Integer, RangePlan> plans = new TreeMap<>();
    final Leftovers leftovers = new Leftovers();
    boolean planned;

    Replay(String addonId, Map<Integer, Long> from, Map<Integer, Long> to) {
        this.addonId = addonId;
        this.addon = IndexBlock.hash(addonId);
        this.from = Map.copyOf(from);
        this.to = Map.copyOf(to);
    }

    boolean done() {
        return planned && leftovers.isEmpty() && plans.values().stream().allMatch(RangePlan::done);
    }
}
