package io.addonlogs.service.tokens;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.addonlogs.common.tokens.TokenRecord;

/**
 * The in-memory copy of the {@code log-tokens} topic: token to record, kept current by a
 * {@link TokenRegistryFollower}. Reads are lock-free and safe from any thread (event loops included).
 */
public final class TokenRegistry {

    private final Map<String, TokenRecord> tokens = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    public Optional<TokenRecord> lookup(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(tokens.get(token));
    }

    /** Every live token of one add-on (usually one; two while a token is being rotated). */
    public List<Map.Entry<String, TokenRecord>> byAddon(String addonId) {
        return tokens.entrySet().stream()
                .filter(entry -> entry.getValue().addonId().equals(addonId))
                .map(entry -> Map.entry(entry.getKey(), entry.getValue()))
                .toList();
    }

    public int size() {
        return tokens.size();
    }

    /** True once everything in the topic at start-up has been read: before that a lookup may miss. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    /** Applied by the follower; public for tests that need a registry without Kafka. */
    public void put(String token, TokenRecord record) {
        tokens.put(token, record);
    }

    public void revoke(String token) {
        tokens.remove(token);
    }

    public void markCaughtUp() {
        caughtUp = true;
    }
}
