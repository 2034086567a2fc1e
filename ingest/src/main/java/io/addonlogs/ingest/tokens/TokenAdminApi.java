package io.addonlogs.ingest.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;
import io.addonlogs.service.tokens.TokenRegistryFollower;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Provisioning on the management port, guarded by {@code Authorization: Bearer $INGEST_ADMIN_TOKEN} (403 for
 * every call when no admin token is configured; compared in constant time; an address that fails too often is
 * refused for a while, see {@link AdminAuthThrottle}): create, list and revoke log tokens. A write answers once the
 * record is in Kafka and this instance's registry has applied it, so the token works here at once (elsewhere
 * within the registry's follow delay). An add-on's owner, real id and name are fixed by its first token: a later
 * token inherits them, and one that names them differently, or reuses another add-on's id or real id, is 409.
 */
public final class TokenAdminApi {

    private static final Logger LOG = LoggerFactory.getLogger(TokenAdminApi.class);
    private static final int MAX_ID_LENGTH = 200;

    private final Vertx vertx;
    private final String adminToken;
    private final AdminAuthThrottle throttle;
    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final TokenRegistry registry;
    private final TokenRegistryFollower follower;
    private final int retryAfterSeconds;

    public TokenAdminApi(Vertx vertx, String adminToken, int maxAuthFailures, String topic,
                         Producer<byte[], byte[]> producer, TokenRegistry registry, TokenRegistryFollower follower,
                         int retryAfterSeconds) {
        this.vertx = vertx;
        this.adminToken = adminToken;
        this.throttle = new AdminAuthThrottle(maxAuthFailures, System::nanoTime);
        this.topic = topic;
        this.producer = producer;
        this.registry = registry;
        this.follower = follower;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public void mount(Router router) {
        router.route("/admin/*").handler(this::authorize);
        router.post("/admin/tokens").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::create);
        router.get("/admin/tokens").handler(this::list);
        router.delete("/admin/tokens/:token").handler(this::revoke);
    }

    private void authorize(RoutingContext ctx) {
        if (adminToken == null) {
            JsonError.send(ctx.response(), 403, "admin_disabled", "the admin API is disabled: INGEST_ADMIN_TOKEN is unset");
            return;
        }
        String address = String.valueOf(ctx.request().remoteAddress().hostAddress());
        long wait = throttle.blockedSeconds(address);
        if (wait > 0) {
            ctx.response().putHeader("Retry-After", String.valueOf(wait));
            JsonError.send(ctx.response(), 429, "too_many_failures",
                    "too many failed authentications from this address; retry later");
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        String expected = "Bearer " + adminToken;
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            if (throttle.failed(address)) {
                LOG.warn("Admin API: too many failed authentications from {}; refusing it for {} s", address,
                        AdminAuthThrottle.BLOCK.toSeconds());
            }
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"admin\"");
            JsonError.send(ctx.response(), 401, "unauthorized", "expected Authorization: Bearer <admin token>");
            return;
        }
        throttle.succeeded(address);
        ctx.next();
    }

    private void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException e) {
            // not JSON, or nested deeper than the parser's limit: the client's mistake, one line (the message may
            // quote the body: only its first line, cut short)
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            LOG.info("POST /admin/tokens from {}: 400, malformed JSON ({})", ctx.request().remoteAddress(),
                    reason.length() > 120 ? reason.substring(0, 120) + "…" : reason);
            JsonError.send(ctx.response(), 400, "bad_request", "the body is not valid JSON (or is nested too deeply)");
            return;
        } catch (ClassCastException e) {
            body = null; // valid JSON, not an object: answered below
        }
        String addonId = string(body, "addonId");
        String ownerId = string(body, "ownerId");
        String realId = string(body, "realId");
        String name = string(body, "name");
        if (!validId(addonId) || !validId(ownerId) || !optionalId(body, "realId", realId)
                || !optionalId(body, "name", name)) {
            JsonError.send(ctx.response(), 400, "bad_request", "expected a JSON body {\"addonId\": \"...\", "
                    + "\"ownerId\": \"...\"} of non-blank strings, with optional \"realId\" and \"name\"");
            return;
        }
        Optional<Addon> existing = registry.addon(addonId).or(() -> registry.addon(realId));
        if (existing.isPresent()) {
            String conflict = AddonConflict.of(existing.get(), addonId, ownerId, realId, name);
            if (conflict != null) {
                JsonError.send(ctx.response(), 409, "addon_conflict", conflict);
                return;
            }
        }
        String token = TokenGenerator.next();
        TokenRecord record = new TokenRecord(addonId, ownerId, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                existing.map(Addon::realId).orElse(realId), existing.map(Addon::name).orElse(name));
        write(token, TokenRecordJson.toBytes(record))
                .compose(v -> undoIfLost(token, record))
                .onSuccess(v -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                        .end(describe(token, record).encode()))
                .onFailure(e -> {
                    if (e instanceof AddonConflict lost) {
                        JsonError.send(ctx.response(), 409, "addon_conflict", lost.getMessage());
                    } else {
                        kafkaFailed(ctx, e);
                    }
                });
    }

    /**
     * Another instance may have provisioned the same add-on id or real id for someone else at the same moment: every
     * instance applies the (single-partition) topic in the same order and the first record wins, so once ours is
     * applied, check that it won; if not, revoke the token (never handed out) and fail with the conflict.
     */
    private Future<Void> undoIfLost(String token, TokenRecord record) {
        Optional<Addon> applied = registry.addon(record.addonId());
        String conflict = applied.isEmpty() ? "add-on " + record.addonId() + " was revoked meanwhile"
                : AddonConflict.of(applied.get(), record.addonId(), record.ownerId(), record.realId(), record.name());
        String realIdOwner = registry.addon(record.realId()).map(Addon::id).orElse(null);
        if (conflict == null && !record.addonId().equals(realIdOwner)) {
            conflict = record.realId() + " already names add-on " + realIdOwner;
        }
        if (conflict == null) {
            return Future.succeededFuture();
        }
        LOG.info("Provisioning add-on {} for {} lost to a concurrent one ({}): its new token is revoked",
                record.addonId(), record.ownerId(), conflict);
        AddonConflict lost = new AddonConflict(conflict);
        return write(token, null).compose(v -> Future.failedFuture(lost));
    }

    private void list(RoutingContext ctx) {
        String addonId = ctx.request().getParam("addonId");
        JsonArray out = new JsonArray();
        registry.addon(addonId).ifPresent(addon -> registry.byAddon(addon.id())
                .forEach(entry -> out.add(describe(entry.getKey(), entry.getValue()))));
        ctx.response().putHeader("Content-Type", "application/json").end(out.encode());
    }

    private void revoke(RoutingContext ctx) {
        String token = ctx.pathParam("token");
        if (registry.lookup(token).isEmpty()) {
            JsonError.send(ctx.response(), 404, "not_found", "no such token");
            return;
        }
        write(token, null)
                .onSuccess(v -> ctx.response().setStatusCode(204).end())
                .onFailure(e -> kafkaFailed(ctx, e));
    }

    /** Produces the record (null value = tombstone) and waits until this instance's registry applied it. */
    private Future<Void> write(String token, byte[] value) {
        Promise<RecordMetadata> sent = Promise.promise();
        var context = vertx.getOrCreateContext();
        producer.send(new ProducerRecord<>(topic, token.getBytes(StandardCharsets.UTF_8), value),
                (metadata, error) -> context.runOnContext(v -> {
                    if (error != null) {
                        sent.fail(error);
                    } else {
                        sent.complete(metadata);
                    }
                }));
        return sent.future().compose(metadata -> Future.fromCompletionStage(
                follower.applied(metadata.partition(), metadata.offset()), context));
    }

    private void kafkaFailed(RoutingContext ctx, Throwable error) {
        ctx.response().putHeader("Retry-After", String.valueOf(retryAfterSeconds));
        JsonError.send(ctx.response(), 503, "kafka_unavailable",
                "the token registry could not be written: " + error.getClass().getSimpleName());
    }

    /** {@code {"token", ...the registry record's fields}}. */
    private static JsonObject describe(String token, TokenRecord record) {
        return new JsonObject().put("token", token)
                .mergeIn(new JsonObject(TokenRecordJson.toNode(record).toString()));
    }

    private static String string(JsonObject body, String field) {
        return body != null && body.getValue(field) instanceof String s ? s : null;
    }

    private static boolean validId(String id) {
        return id != null && !id.isBlank() && id.length() <= MAX_ID_LENGTH;
    }

    /** Absent, or present as a valid id. */
    private static boolean optionalId(JsonObject body, String field, String value) {
        return body == null || !body.containsKey(field) || validId(value);
    }
}
