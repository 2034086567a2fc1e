package io.addonlogs.drain.kafka;

import java.util.List;
import java.util.Map;

import io.addonlogs.drain.format.DrainLine;

/**
 * What one poll read of one partition: offsets {@code [from, to)} (contiguous with the previous batch of the
 * partition), and the lines of the add-ons that have drains, rewritten once for all their drains, by add-on id.
 */
public record PartitionBatch(int partition, long from, long to, Map<String, List<DrainLine>> lines) {
}
