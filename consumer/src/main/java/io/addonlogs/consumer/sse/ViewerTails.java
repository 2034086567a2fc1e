package io.addonlogs.consumer.sse;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Open tails per viewer identity on this instance (all its event loops), bounded: one viewer cannot take every
 * stream a server has. Thread-safe.
 */
public final class ViewerTails {

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final int max;

    public ViewerTails(int max) {
        this.max = max;
    }

    /** Counts one more tail of this viewer; false (nothing counted) when it has {@code max} already. */
    boolean tryOpen(String viewerId) {
        boolean[] opened = new boolean[1];
        open.compute(viewerId, (id, count) -> {
            int now = count == null ? 0 : count;
            opened[0] = now < max;
            return opened[0] ? now + 1 : now;
        });
        return opened[0];
    }

    void closed(String viewerId) {
        open.computeIfPresent(viewerId, (id, count) -> count <= 1 ? null : count - 1);
    }
}
