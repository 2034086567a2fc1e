package io.addonlogs.ingest.http;

import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

import io.addonlogs.ingest.ratelimit.TokenRateLimiter;

/**
 * Who sends a {@link LogsRequest} and what binds it: its log token and add-on, the token's rate bucket, whether
 * the token is still valid on this instance (a revocation applies mid-request), and how the request gives back its
 * slot among the token's requests in progress.
 */
record Caller(String token, String addonId, TokenRateLimiter.Bucket rate, BooleanSupplier stillAuthorized,
              Runnable releaseSlot) {

    byte[] tokenBytes() {
        return token.getBytes(StandardCharsets.UTF_8);
    }

    byte[] addonIdBytes() {
        return addonId.getBytes(StandardCharsets.UTF_8);
    }
}
