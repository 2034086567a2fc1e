package io.addonlogs.common.tokens;

import java.time.Instant;
import java.util.Objects;

/**
 * What the token registry knows of one log token: the value of its record in the compacted {@code log-tokens}
 * topic (the key is the token itself; a tombstone revokes it).
 */
public record TokenRecord(String addonId, String ownerId, Instant createdAt) {

    public TokenRecord {
        Objects.requireNonNull(addonId, "addonId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
