package io.addonlogs.consumer.platform;

import java.util.Map;
import java.util.TreeMap;

import io.addonlogs.consumer.auth.Viewer;
import io.addonlogs.consumer.auth.ViewerAuth;
import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code GET /v2/summary}, as the platform's CLI reads it to find an add-on's owner and real id: the caller as
 * {@code user}, and each owner whose add-ons the caller may read as an organisation, with those add-ons ({@code id},
 * {@code realId}, {@code name}). Add-ons come from the token registry (an add-on whose tokens are all revoked is no
 * longer listed); applications and OAuth consumers are not this service's business and are always empty.
 */
public final class SummaryRoute {

    public static final String PATH = "/v2/summary";

    private final TokenRegistry tokens;
    private final ViewerAuth auth;

    public SummaryRoute(TokenRegistry tokens, ViewerAuth auth) {
        this.tokens = tokens;
        this.auth = auth;
    }

    public void mount(Router router) {
        router.get(PATH).handler(ctx -> auth.withViewer(ctx, viewer -> ctx.response()
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(summary(viewer).encode())));
    }

    JsonObject summary(Viewer viewer) {
        Map<String, String> ownerNames = new TreeMap<>(viewer.owners());
        Map<String, Map<String, Addon>> visible = new TreeMap<>();
        viewer.owners().keySet().forEach(ownerId -> tokens.addonsOf(ownerId).forEach(addon -> show(visible, addon)));
        for (String named : viewer.addons()) {
            tokens.addon(named).ifPresent(addon -> {
                ownerNames.putIfAbsent(addon.ownerId(), addon.ownerId());
                show(visible, addon);
            });
        }
        JsonArray organisations = new JsonArray();
        ownerNames.forEach((ownerId, name) -> {
            if (!ownerId.equals(viewer.id())) {
                organisations.add(owner(ownerId, name, visible.get(ownerId)));
            }
        });
        return new JsonObject().put("user", owner(viewer.id(), viewer.name(), visible.get(viewer.id())))
                .put("organisations", organisations);
    }

    private static void show(Map<String, Map<String, Addon>> visible, Addon addon) {
        visible.computeIfAbsent(addon.ownerId(), owner -> new TreeMap<>()).put(addon.id(), addon);
    }

    /** An owner as the platform's summary shows one; {@code addons} sorted by id, or null for none. */
    private static JsonObject owner(String id, String name, Map<String, Addon> addons) {
        JsonArray list = new JsonArray();
        if (addons != null) {
            addons.values().forEach(addon -> list.add(new JsonObject()
                    .put("id", addon.id()).put("realId", addon.realId()).put("name", addon.name())));
        }
        return new JsonObject().put("id", id).put("name", name).put("applications", new JsonArray())
                .put("addons", list).put("consumers", new JsonArray());
    }
}
