package io.addonlogs.common.drains;

import java.time.Instant;
import java.util.Objects;

/**
 * One drain: the value of its record in the compacted {@code DRAINS_TOPIC} (default {@code log-drains}; key = the
 * drain id, a tombstone removes it). {@code addonId} is the add-on's id as ingest stamps it on its lines (the API
 * resolves a real id to it); {@code kind} is the platform's ({@code LOG}); {@code enabled} false keeps the drain and
 * its cursor but delivers nothing until enabled again, from where it stopped.
 */
public record DrainDefinition(String id, String addonId, String ownerId, String kind, DrainRecipient recipient,
                              boolean enabled, Instant createdAt, Instant updatedAt) {

    public static final String KIND_LOG = "LOG";

    public DrainDefinition {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(addonId, "addonId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(createdAt, "createdAt");
        kind = kind == null ? KIND_LOG : kind;
        updatedAt = updatedAt == null ? createdAt : updatedAt;
    }

    public DrainDefinition withEnabled(boolean now, Instant at) {
        return new DrainDefinition(id, addonId, ownerId, kind, recipient, now, createdAt, at);
    }
}
