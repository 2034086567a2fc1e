package io.addonlogs.ingest.http;

import io.addonlogs.ingest.IngestConfig;

/** The per-request limits a {@link LogsRequest} enforces. */
record IngestLimits(long maxBodyBytes, int maxFrameBytes, long kafkaTimeoutMs, int retryAfterSeconds,
                    int bodyTimeoutSeconds) {

    static IngestLimits of(IngestConfig config) {
        return new IngestLimits(config.maxBodyBytes(), config.maxFrameBytes(), config.kafkaTimeoutMs(),
                config.retryAfterSeconds(), config.bodyTimeoutSeconds());
    }
}
