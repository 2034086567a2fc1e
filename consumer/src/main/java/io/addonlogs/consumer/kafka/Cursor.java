package io.addonlogs.consumer.kafka;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The SSE event id: for each partition the stream reads, the offset of the next record to deliver, written
 * {@code p:o,p:o} (e.g. {@code 3:1042}). Resuming from it continues strictly after the last delivered line, on any
 * instance, because it is a Kafka position. Clients treat it as opaque.
 */
public final class Cursor {

    private Cursor() {
    }

    /** Written once per event: the map is already sorted, so it is read as it is. */
    public static String encode(SortedMap<Integer, Long> next) {
        StringBuilder out = new StringBuilder();
        next.forEach((p, o) -> out.append(out.isEmpty() ? "" : ",").append(p).append(':').append(o));
        return out.toString();
    }

    /** The positions, or empty if {@code text} is not a cursor of ours. */
    public static Optional<Map<Integer, Long>> decode(String text) {
        if (text == null || text.isBlank() || text.length() > 4096) {
            return Optional.empty();
        }
        Map<Integer, Long> next = new TreeMap<>();
        for (String pair : text.trim().split(",")) {
            int colon = pair.indexOf(':');
            try {
                int partition = Integer.parseInt(pair.substring(0, Math.max(colon, 0)));
                long offset = Long.parseLong(pair.substring(colon + 1));
                if (partition < 0 || offset < 0) {
                    return Optional.empty();
                }
                next.put(partition, offset);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(next);
    }
}
