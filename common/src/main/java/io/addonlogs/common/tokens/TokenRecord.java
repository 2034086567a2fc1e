package io.addonlogs.common.tokens;

import java.time.Instant;
import java.util.Objects;

/**
 * What the token registry knows of one log token: the value of its record in the compacted {@code log-tokens}
 * topic (the key is the token itself; a tombstone revokes it).
 *
 * <p>An add-on has an id ({@code addonId}, the one ingest stamps on its lines) and a real id ({@code realId}, the
 * one the platform's clients put in URLs, e.g. {@code postgresql_0b4f...}), plus a display name. An add-on
 * provisioned without them has its id as real id and its real id as name, so both are always set.
 */
public record TokenRecord(String addonId, String ownerId, Instant createdAt, String realId, String name) {

    public TokenRecord {
        Objects.requireNonNull(addonId, "addonId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(createdAt, "createdAt");
        realId = realId == null ? addonId : realId;
        name = name == null ? realId : name;
    }

    /** A record whose add-on has no distinct real id or name. */
    public TokenRecord(String addonId, String ownerId, Instant createdAt) {
        this(addonId, ownerId, createdAt, null, null);
    }
}
