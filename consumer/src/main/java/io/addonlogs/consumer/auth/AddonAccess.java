package io.addonlogs.consumer.auth;

import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;

/**
 * What a viewer may know of the add-on a path names (by id or real id) under an owner, for tails and drains alike:
 * forbidden (403), or allowed with the add-on, or allowed to learn that the owner has no such add-on (404).
 */
public record AddonAccess(boolean forbidden, Addon addon) {

    public static AddonAccess check(Viewer viewer, TokenRegistry tokens, String ownerId, String named) {
        Addon addon = tokens.addon(named).filter(a -> a.ownerId().equals(ownerId)).orElse(null);
        boolean forbidden = addon == null ? !viewer.mayLookUp(ownerId, named) : !viewer.mayRead(ownerId, addon);
        return new AddonAccess(forbidden, forbidden ? null : addon);
    }
}
