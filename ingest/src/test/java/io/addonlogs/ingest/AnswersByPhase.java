package io.addonlogs.ingest;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** HTTP statuses counted by the phase of a fault test they arrived in; provider threads add, the test reads. */
final class AnswersByPhase<P extends Enum<P>> {

    private final Class<P> phases;
    private final Map<P, Map<Integer, AtomicInteger>> answers = new ConcurrentHashMap<>();

    AnswersByPhase(Class<P> phases) {
        this.phases = phases;
    }

    void add(P phase, int status) {
        answers.computeIfAbsent(phase, p -> new ConcurrentHashMap<>()).computeIfAbsent(status, s -> new AtomicInteger())
                .incrementAndGet();
    }

    int count(P phase, int status) {
        AtomicInteger n = answers.getOrDefault(phase, Map.of()).get(status);
        return n == null ? 0 : n.get();
    }

    /** Every status seen, whatever the phase. */
    Set<Integer> statuses() {
        Set<Integer> statuses = new TreeSet<>();
        answers.values().forEach(byStatus -> statuses.addAll(byStatus.keySet()));
        return statuses;
    }

    /** Phase by phase, status by status: for the printed counts and failure messages. */
    Map<P, Map<Integer, Integer>> summary() {
        Map<P, Map<Integer, Integer>> out = new EnumMap<>(phases);
        answers.forEach((p, m) -> {
            Map<Integer, Integer> counts = new TreeMap<>();
            m.forEach((s, n) -> counts.put(s, n.get()));
            out.put(p, counts);
        });
        return out;
    }

    @Override
    public String toString() {
        return summary().toString();
    }
}
