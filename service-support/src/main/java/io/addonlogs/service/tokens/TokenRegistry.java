package io.addonlogs.service.tokens;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.addonlogs.common.tokens.TokenRecord;

/**
 * The in-memory copy of the {@code log-tokens} topic: token to record, kept current by a
 * {@link TokenRegistryFollower}, and the add-ons those tokens name, by id, by real id and by owner. Reads are
 * lock-free and safe from any thread (event loops included); writes come from the follower (or a test) and are
 * serialised.
 *
 * <p>An add-on's id, real id, owner and name are those of its oldest live token. Records that disagree with it
 * (written before the admin API refused such conflicts, or by a race it then undid) still count as tokens of the
 * add-on, but never move it to another owner or real id.
 */
public final class TokenRegistry {

    private final Map<String, TokenRecord> tokens = new ConcurrentHashMap<>();
    /** Add-on id to its live tokens in the order applied; guarded by {@code this}. */
    private final Map<String, LinkedHashMap<String, TokenRecord>> members = new HashMap<>();
    private final Map<String, Addon> addons = new ConcurrentHashMap<>();
    private final Map<String, String> realIds = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> byOwner = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;

    public Optional<TokenRecord> lookup(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(tokens.get(token));
    }

    /** Every live token of one add-on (usually one; two while a token is being rotated). */
    public List<Map.Entry<String, TokenRecord>> byAddon(String addonId) {
        Addon addon = addons.get(addonId);
        return addon == null ? List.of() : addon.tokens().stream()
                .map(token -> Map.entry(token, tokens.get(token)))
                .filter(entry -> entry.getValue() != null)
                .toList();
    }

    /** The add-on with this id, or else with this real id (an id wins when one add-on's id is another's real id). */
    public Optional<Addon> addon(String idOrRealId) {
        if (idOrRealId == null) {
            return Optional.empty();
        }
        Addon byId = addons.get(idOrRealId);
        if (byId != null) {
            return Optional.of(byId);
        }
        String id = realIds.get(idOrRealId);
        return id == null ? Optional.empty() : Optional.ofNullable(addons.get(id));
    }

    /** The add-ons of one owner, in no particular order. */
    public List<Addon> addonsOf(String ownerId) {
        Set<String> ids = byOwner.get(ownerId);
        return ids == null ? List.of() : ids.stream().map(addons::get).filter(a -> a != null).toList();
    }

    public int size() {
        return tokens.size();
    }

    /** True once everything in the topic at start-up has been read: before that a lookup may miss. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    /** Applied by the follower; public for tests that need a registry without Kafka. */
    public synchronized void put(String token, TokenRecord record) {
        TokenRecord previous = tokens.put(token, record);
        if (previous != null && !previous.addonId().equals(record.addonId())) {
            leave(token, previous.addonId());
        }
        members.computeIfAbsent(record.addonId(), id -> new LinkedHashMap<>()).put(token, record);
        refresh(record.addonId());
    }

    public synchronized void revoke(String token) {
        TokenRecord previous = tokens.remove(token);
        if (previous != null) {
            leave(token, previous.addonId());
        }
    }

    public void markCaughtUp() {
        caughtUp = true;
    }

    private void leave(String token, String addonId) {
        LinkedHashMap<String, TokenRecord> of = members.get(addonId);
        if (of != null) {
            of.remove(token);
            if (of.isEmpty()) {
                members.remove(addonId);
            }
        }
        refresh(addonId);
    }

    /** Rebuilds the add-on's snapshot and the indexes that name it from its live tokens. */
    private void refresh(String addonId) {
        Addon old = addons.get(addonId);
        LinkedHashMap<String, TokenRecord> of = members.get(addonId);
        Addon now = null;
        if (of != null) {
            TokenRecord first = of.values().iterator().next();
            now = new Addon(addonId, first.realId(), first.ownerId(), first.name(), List.copyOf(of.keySet()));
            addons.put(addonId, now);
        } else {
            addons.remove(addonId);
        }
        if (old != null && (now == null || !old.realId().equals(now.realId()))) {
            realIds.remove(old.realId(), addonId);
        }
        if (old != null && (now == null || !old.ownerId().equals(now.ownerId()))) {
            byOwner.computeIfPresent(old.ownerId(), (owner, ids) -> {
                ids.remove(addonId);
                return ids.isEmpty() ? null : ids;
            });
        }
        if (now != null) {
            realIds.putIfAbsent(now.realId(), addonId);
            byOwner.computeIfAbsent(now.ownerId(), owner -> ConcurrentHashMap.newKeySet()).add(addonId);
        }
    }
}
