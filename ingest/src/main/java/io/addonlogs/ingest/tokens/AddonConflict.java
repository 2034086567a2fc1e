package io.addonlogs.ingest.tokens;

import io.addonlogs.service.tokens.Addon;

/** Why a new token cannot join an existing add-on (a 409), or null when it fits it. */
final class AddonConflict extends RuntimeException {

    private static final long serialVersionUID = 1L;

    AddonConflict(String reason) {
        super(reason, null, false, false);
    }

    /**
     * {@code existing} is the add-on that {@code addonId} or {@code realId} already names; the request fits it only
     * if it is the same add-on of the same owner, with the same real id and name where the request gives them.
     */
    static String of(Addon existing, String addonId, String ownerId, String realId, String name) {
        if (!existing.id().equals(addonId)) {
            return (existing.isNamed(addonId) ? addonId : realId) + " already names add-on " + existing.id()
                    + " of " + existing.ownerId();
        }
        if (!existing.ownerId().equals(ownerId)) {
            return "add-on " + addonId + " belongs to another owner";
        }
        if (realId != null && !existing.realId().equals(realId)) {
            return "add-on " + addonId + " has real id " + existing.realId() + ", not " + realId;
        }
        if (name != null && !existing.name().equals(name)) {
            return "add-on " + addonId + " is named " + existing.name() + ", not " + name;
        }
        return null;
    }
}
