package io.addonlogs.common.drains;

import java.time.Instant;

/**
 * What a drain worker publishes of one drain on one partition (the compacted status topic, key
 * {@link DrainPartitionKey}), and what the API shows, summed over partitions: the delivery state and its retry
 * counters ({@code execution}) and the backlog. {@code maxAttempt} is null: a drain never gives up, its lines wait
 * in Kafka (within retention) and the back-off stays at its ceiling. {@code msgBacklog} is the add-on's lines at or
 * after the drain's cursor that the worker has read and not delivered; lines before the worker's live start that it
 * reads back from Kafka are counted as they are read (docs/architecture.md, "Drains").
 */
public record DrainStatus(String drainId, int partition, Execution execution, long msgBacklog, double msgRateOut,
                          double msgThroughputOut, long delivered, long failed, Instant updatedAt) {

    /** {@code RUNNING} delivering, {@code RETRYING} backing off after a failure, {@code DISABLED}. */
    public record Execution(String status, int attempt, Integer maxAttempt, Instant lastAttemptAt,
                            Instant nextAttemptAt, Instant retryingSince, String lastError) {
    }
}
