package io.addonlogs.drain.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.addonlogs.drain.format.DrainLine;

/**
 * What one poll read of one partition: offsets {@code [from, to)} (contiguous with the previous batch of the
 * partition), and the lines of the add-ons it was prepared for, rewritten once for all their drains.
 */
public record PartitionBatch(int partition, long from, long to, Prepared prepared) {

    /**
     * A poll's lines by add-on id, for {@code addons}: the add-ons with an enabled drain when the poll was read (an
     * immutable snapshot, shared by the polls that read it).
     */
    public record Prepared(Set<String> addons, Map<String, List<DrainLine>> lines) {
    }

    /**
     * The add-on's lines among the batch's offsets (empty if it has none there), or null if the batch was not
     * prepared for it: it was read before the add-on's drain was enabled or created, so its lines are to be read
     * from Kafka.
     */
    public List<DrainLine> linesOf(String addonId) {
        return prepared.addons().contains(addonId) ? prepared.lines().getOrDefault(addonId, List.of()) : null;
    }
}
