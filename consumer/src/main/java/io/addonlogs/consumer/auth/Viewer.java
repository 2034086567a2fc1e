package io.addonlogs.consumer.auth;

import java.util.Map;
import java.util.Set;

import io.addonlogs.service.tokens.Addon;

/**
 * Who a caller is and what they may read: their own id and name, the owners (organisations, or the user itself)
 * whose add-ons they may read, with display names, and single add-ons (by id or real id).
 */
public record Viewer(String id, String name, Map<String, String> owners, Set<String> addons) {

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
