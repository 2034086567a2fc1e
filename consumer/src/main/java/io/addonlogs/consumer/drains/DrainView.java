package io.addonlogs.consumer.drains;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainStatus;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.drains.Secret;
import io.vertx.core.json.JsonObject;

/**
 * The platform's drain object, as its API answers and its CLI reads it ({@code clever-tools} 4.x,
 * {@code src/models/drain.js}): {@code id, kind, recipient{type, url, index, username,
 * rfc5424StructuredDataParameters}, status{status}, execution{...}, backlog{...}}, with no secret in it (the URL and
 * the SD parameters shown masked), the drain's statuses summed over the partitions its add-on writes to. And the
 * request body of a creation.
 */
final class DrainView {

    private DrainView() {
    }

    static JsonObject of(DrainDefinition drain, String realId, List<DrainStatus> statuses) {
        DrainRecipient r = drain.recipient();
        JsonObject recipient = new JsonObject().put("type", r.type().name()).put("url", r.shownUrl())
                .put("index", r.index()).put("username", r.username())
                .put("rfc5424StructuredDataParameters", r.shownStructuredData());
        return new JsonObject()
                .put("id", drain.id())
                .put("kind", drain.kind())
                .put("ownerId", drain.ownerId())
                .put("resourceId", realId)
                .put("addonId", drain.addonId())
                .put("recipient", recipient)
                .put("status", new JsonObject().put("status", drain.enabled() ? "ENABLED" : "DISABLED"))
                .put("execution", execution(drain, statuses))
                .put("backlog", new JsonObject()
                        .put("msgBacklog", statuses.stream().mapToLong(DrainStatus::msgBacklog).sum())
                        .put("msgRateOut", statuses.stream().mapToDouble(DrainStatus::msgRateOut).sum())
                        .put("msgThroughputOut", statuses.stream().mapToDouble(DrainStatus::msgThroughputOut).sum()))
                .put("createdAt", drain.createdAt().toString())
                .put("updatedAt", drain.updatedAt().toString());
    }

    /**
     * DISABLED when disabled; PENDING until a worker reported; else the partition in the worst state decides (RETRYING
     * over RUNNING), with its attempts and error.
     */
    private static JsonObject execution(DrainDefinition drain, List<DrainStatus> statuses) {
        JsonObject out = new JsonObject().put("maxAttempt", (Integer) null);
        if (!drain.enabled()) {
            return out.put("status", "DISABLED").put("attempt", 0);
        }
        DrainStatus worst = statuses.stream().max(Comparator.comparingInt((DrainStatus s) ->
                s.execution().status().equals("RETRYING") ? 1 : 0).thenComparingInt(s -> s.execution().attempt()))
                .orElse(null);
        if (worst == null) {
            return out.put("status", "PENDING").put("attempt", 0);
        }
        DrainStatus.Execution e = worst.execution();
        return out.put("status", e.status().equals("DISABLED") ? "PENDING" : e.status())
                .put("attempt", e.attempt())
                .put("lastAttemptAt", text(e.lastAttemptAt()))
                .put("nextAttemptAt", text(e.nextAttemptAt()))
                .put("retryingSince", text(e.retryingSince()))
                .put("lastError", e.lastError());
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    /** The recipient of a creation request; {@link IllegalArgumentException} saying what is wrong. */
    static DrainRecipient recipient(JsonObject body) {
        JsonObject r = body == null ? null : body.getJsonObject("recipient");
        if (r == null) {
            throw new IllegalArgumentException("the body must be {\"kind\":\"LOG\",\"recipient\":{\"type\":...,\"url\":...}}");
        }
        String kind = body.getString("kind", "LOG");
        if (!"LOG".equals(kind)) {
            throw new IllegalArgumentException("only LOG drains are supported, not " + kind);
        }
        DrainType type;
        try {
            type = DrainType.valueOf(r.getString("type", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("recipient.type must be one of " + List.of(DrainType.values()), e);
        }
        if (r.getString("url") == null) {
            throw new IllegalArgumentException("recipient.url is required");
        }
        return new DrainRecipient(type, Secret.of(r.getString("url")), r.getString("index"), r.getString("username"),
                Secret.of(r.getString("password")), Secret.of(r.getString("apiKey")),
                Secret.of(r.getString("sourceToken")), Secret.of(r.getString("rfc5424StructuredDataParameters")));
    }
}
