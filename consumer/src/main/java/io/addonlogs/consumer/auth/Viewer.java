package io.addonlogs.consumer.auth;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

import io.addonlogs.service.tokens.Addon;

/**
 * Who a caller is and what they may read: their own id and name, the owners (organisations, or the user itself)
 * whose add-ons they may read, with display names, single add-ons (by id or real id), and when the credentials
 * expire (null: they do not say). The id also keys per-viewer limits.
 */
public record Viewer(String id, String name, Map<String, String> owners, Set<String> addons, Instant expiresAt) {

    public Viewer {
        owners = Map.copyOf(owners);
        addons = Set.copyOf(addons);
    }

    /** May read this add-on of this owner ({@code addon} as the registry knows it). */
    public boolean mayRead(String ownerId, Addon addon) {
        return owners.containsKey(ownerId) || addons.contains(addon.id()) || addons.contains(addon.realId());
    }

    /** May read some add-on of this owner, or the add-on named so: enough to be told that it does not exist. */
    public boolean mayLookUp(String ownerId, String addonIdOrRealId) {
        return owners.containsKey(ownerId) || addons.contains(addonIdOrRealId);
    }
}
