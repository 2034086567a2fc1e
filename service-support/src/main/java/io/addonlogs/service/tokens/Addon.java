package io.addonlogs.service.tokens;

import java.util.List;

/**
 * An add-on as the token registry knows it: its id, real id, owner and name (those of its oldest live token; the
 * admin API keeps later tokens consistent with it) and its live log tokens, oldest first.
 */
public record Addon(String id, String realId, String ownerId, String name, List<String> tokens) {

    public Addon {
        tokens = List.copyOf(tokens);
    }

    /** True if {@code idOrRealId} names this add-on. */
    public boolean isNamed(String idOrRealId) {
        return id.equals(idOrRealId) || realId.equals(idOrRealId);
    }
}
