package io.addonlogs.consumer.drains;

import java.time.Instant;
import java.util.UUID;
import java.util.function.BiConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.auth.AddonAccess;
import io.addonlogs.consumer.auth.Viewer;
import io.addonlogs.consumer.auth.ViewerAuth;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The platform's v4 drains API, on the consumer's public port beside {@code /v4/logs} (the platform's CLI has one API
 * host): {@code GET|POST /v4/drains/organisations/{ownerId}/resources/{resourceId}/drains}, {@code GET|DELETE
 * .../drains/{drainId}}, {@code PUT .../drains/{drainId}/enable|disable}, {@code POST .../drains/{drainId}/check}.
 * Authorised as tails are: the viewer (401), its right to the add-on, named by id or real id (403), the add-on
 * belonging to that owner (404); a drain of another add-on is 404. Errors in the JSON error shape: 400 a body that is
 * not a drain, 404, 409 {@code too_many_drains}, 413 a body over 16 KiB, 503 {@code drains_unavailable} (no
 * {@code DRAINS_SECRET_KEY}) or {@code kafka_unavailable}.
 */
public final class DrainRoutes {

    public static final String BASE = "/v4/drains/organisations/:ownerId/resources/:resourceId/drains";
    private static final Logger LOG = LoggerFactory.getLogger(DrainRoutes.class);
    private static final int MAX_BODY_BYTES = 16 << 10;

    private final DrainStore store;
    private final RecipientProbe probe;
    private final TokenRegistry tokens;
    private final ViewerAuth auth;

    /** {@code store} and {@code probe} null: the API is off (no key) and answers 503. */
    DrainRoutes(DrainStore store, RecipientProbe probe, TokenRegistry tokens, ViewerAuth auth) {
        this.store = store;
        this.probe = probe;
        this.tokens = tokens;
        this.auth = auth;
    }

    public void mount(Router router) {
        router.get(BASE).handler(ctx -> withAddon(ctx, this::list));
        router.post(BASE).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(ctx -> withAddon(ctx, this::create));
        router.get(BASE + "/:drainId").handler(ctx -> withDrain(ctx, (drain, addon) -> ctx.json(view(drain, addon))));
        router.delete(BASE + "/:drainId").handler(ctx -> withDrain(ctx, (drain, addon) ->
                answer(ctx, store.remove(drain.id()).map(view(drain, addon)))));
        router.put(BASE + "/:drainId/enable").handler(ctx -> withDrain(ctx, (drain, addon) -> enable(ctx, drain, addon, true)));
        router.put(BASE + "/:drainId/disable").handler(ctx -> withDrain(ctx, (drain, addon) -> enable(ctx, drain, addon, false)));
        router.post(BASE + "/:drainId/check").handler(ctx -> withDrain(ctx, (drain, addon) -> check(ctx, drain)));
    }

    private void list(RoutingContext ctx, Addon addon) {
        JsonArray out = new JsonArray();
        store.registry().ofAddon(addon.id()).forEach(drain -> out.add(view(drain, addon)));
        ctx.json(out);
    }

    private void create(RoutingContext ctx, Addon addon) {
        DrainRecipient recipient;
        try {
            recipient = DrainView.recipient(ctx.body().asJsonObject());
        } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
            JsonError.send(ctx.response(), 400, "bad_request", e.getMessage());
            return;
        }
        if (store.registry().ofAddon(addon.id()).size() >= store.maxPerAddon()) {
            JsonError.send(ctx.response(), 409, "too_many_drains", "this add-on has " + store.maxPerAddon()
                    + " drains already; remove one first");
            return;
        }
        Instant now = Instant.now();
        DrainDefinition drain = new DrainDefinition("drain_" + UUID.randomUUID(), addon.id(), addon.ownerId(),
                DrainDefinition.KIND_LOG, recipient, true, now, now);
        LOG.info("Drain {} created for {}: {}", drain.id(), addon.id(), recipient);
        answer(ctx, store.put(drain).map(d -> view(d, addon)));
    }

    private void enable(RoutingContext ctx, DrainDefinition drain, Addon addon, boolean enabled) {
        answer(ctx, drain.enabled() == enabled ? Future.succeededFuture(view(drain, addon))
                : store.put(drain.withEnabled(enabled, Instant.now())).map(d -> view(d, addon)));
    }

    private void check(RoutingContext ctx, DrainDefinition drain) {
        probe.probe(drain.recipient()).onComplete(done -> ctx.json(new JsonObject().put("ok", done.succeeded())
                .put("message", done.succeeded() ? done.result() : String.valueOf(done.cause().getMessage()))));
    }

    private JsonObject view(DrainDefinition drain, Addon addon) {
        return DrainView.of(drain, addon.realId(), store.statuses(drain.id()));
    }

    private static void answer(RoutingContext ctx, Future<?> work) {
        work.onComplete(done -> {
            if (done.succeeded()) {
                ctx.json(done.result());
            } else {
                LOG.warn("A drain could not be written to Kafka: {}", done.cause().toString());
                ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
                JsonError.send(ctx.response(), 503, "kafka_unavailable", "the drain could not be stored; retry");
            }
        });
    }

    /** The viewer, then the add-on of the path with the viewer's right to it; or the answer saying why not. */
    private void withAddon(RoutingContext ctx, BiConsumer<RoutingContext, Addon> then) {
        if (store == null) {
            ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
            JsonError.send(ctx.response(), 503, "drains_unavailable", "drains are not configured on this server "
                    + "(DRAINS_SECRET_KEY)");
            return;
        }
        auth.withViewer(ctx, viewer -> {
            Addon addon = addonFor(ctx, viewer);
            if (addon != null) {
                then.accept(ctx, addon);
            }
        });
    }

    private void withDrain(RoutingContext ctx, BiConsumer<DrainDefinition, Addon> then) {
        withAddon(ctx, (c, addon) -> {
            DrainDefinition drain = store.registry().get(ctx.pathParam("drainId"))
                    .filter(d -> d.addonId().equals(addon.id())).orElse(null);
            if (drain == null) {
                JsonError.send(ctx.response(), 404, "not_found", "no drain " + ctx.pathParam("drainId")
                        + " for this add-on");
            } else {
                then.accept(drain, addon);
            }
        });
    }

    private Addon addonFor(RoutingContext ctx, Viewer viewer) {
        String ownerId = ctx.pathParam("ownerId");
        String named = ctx.pathParam("resourceId");
        AddonAccess access = AddonAccess.check(viewer, tokens, ownerId, named);
        if (access.forbidden()) {
            JsonError.send(ctx.response(), 403, "forbidden", "these credentials do not give access to this add-on");
            return null;
        }
        Addon addon = access.addon();
        if (addon == null) {
            JsonError.send(ctx.response(), 404, "not_found", "no add-on " + named + " for owner " + ownerId);
        }
        return addon;
    }
}
