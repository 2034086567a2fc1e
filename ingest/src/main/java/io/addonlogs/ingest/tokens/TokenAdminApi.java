package io.addonlogs.ingest.tokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.tokens.TokenRegistry;
import io.addonlogs.service.tokens.TokenRegistryFollower;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Provisioning on the management port, guarded by {@code Authorization: Bearer $INGEST_ADMIN_TOKEN} (403 for
 * every call when no admin token is configured): create, list and revoke log tokens. A write answers once the
 * record is in Kafka and this instance's registry has applied it, so the token works here at once (elsewhere
 * within the registry's follow delay).
 */
public final class TokenAdminApi {

    private static final int MAX_ID_LENGTH = 200;

    private final Vertx vertx;
    private final String adminToken;
    private final String topic;
    private final Producer<byte[], byte[]> producer;
    private final TokenRegistry registry;
    private final TokenRegistryFollower follower;
    private final int retryAfterSeconds;

    public TokenAdminApi(Vertx vertx, String adminToken, String topic, Producer<byte[], byte[]> producer,
                         TokenRegistry registry, TokenRegistryFollower follower, int retryAfterSeconds) {
        this.vertx = vertx;
        this.adminToken = adminToken;
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
        String header = ctx.request().getHeader("Authorization");
        String expected = "Bearer " + adminToken;
        if (header == null || !MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8))) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"admin\"");
            JsonError.send(ctx.response(), 401, "unauthorized", "expected Authorization: Bearer <admin token>");
            return;
        }
        ctx.next();
    }

    private void create(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        String addonId = body == null ? null : body.getValue("addonId") instanceof String s ? s : null;
        String ownerId = body == null ? null : body.getValue("ownerId") instanceof String s ? s : null;
        if (!validId(addonId) || !validId(ownerId)) {
            JsonError.send(ctx.response(), 400, "bad_request",
                    "expected a JSON body {\"addonId\": \"...\", \"ownerId\": \"...\"} of non-blank strings");
            return;
        }
        String token = TokenGenerator.next();
        TokenRecord record = new TokenRecord(addonId, ownerId, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        write(token, TokenRecordJson.toBytes(record))
                .onSuccess(v -> ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json")
                        .end(describe(token, record).encode()))
                .onFailure(e -> kafkaFailed(ctx, e));
    }

    private void list(RoutingContext ctx) {
        String addonId = ctx.request().getParam("addonId");
        JsonArray out = new JsonArray();
        registry.byAddon(addonId).forEach(entry -> out.add(describe(entry.getKey(), entry.getValue())));
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

    private static boolean validId(String id) {
        return id != null && !id.isBlank() && id.length() <= MAX_ID_LENGTH;
    }
}
