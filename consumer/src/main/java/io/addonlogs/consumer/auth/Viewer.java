package io.addonlogs.consumer.auth;

import java.util.Set;

/** Who a valid viewer token speaks for: owner ids whose add-ons it may read, and single add-on ids. */
public record Viewer(Set<String> owners, Set<String> addons) {

    public boolean mayRead(String ownerId, String addonId) {
        return owners.contains(ownerId) || addons.contains(addonId);
    }
}
