package io.addonlogs.common.drains;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The stored JSON of a {@link DrainDefinition}: {@code {"id","addonId","ownerId","kind","enabled","createdAt",
 * "updatedAt","recipient":{"type","url","index","username","sealed":{...}}}}. {@code recipient.url} is the
 * {@linkplain DrainRecipient#shownUrl() shown} URL, for people reading the topic; every secret, the full URL included,
 * is under {@code sealed}, each sealed by {@link DrainSecrets} for this drain id. Nothing in clear is a secret.
 */
public final class DrainJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DrainJson() {
    }

    public static byte[] toBytes(DrainDefinition drain, DrainSecrets secrets) {
        DrainRecipient r = drain.recipient();
        ObjectNode sealed = MAPPER.createObjectNode();
        seal(sealed, "url", r.url(), drain.id(), secrets);
        seal(sealed, "password", r.password(), drain.id(), secrets);
        seal(sealed, "apiKey", r.apiKey(), drain.id(), secrets);
        seal(sealed, "sourceToken", r.sourceToken(), drain.id(), secrets);
        seal(sealed, "rfc5424StructuredDataParameters", r.structuredData(), drain.id(), secrets);
        ObjectNode recipient = MAPPER.createObjectNode().put("type", r.type().name()).put("url", r.shownUrl())
                .put("index", r.index()).put("username", r.username());
        recipient.set("sealed", sealed);
        ObjectNode node = MAPPER.createObjectNode()
                .put("id", drain.id())
                .put("addonId", drain.addonId())
                .put("ownerId", drain.ownerId())
                .put("kind", drain.kind())
                .put("enabled", drain.enabled())
                .put("createdAt", drain.createdAt().toString())
                .put("updatedAt", drain.updatedAt().toString());
        node.set("recipient", recipient);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen for a tree of strings", e);
        }
    }

    /** Parses a stored drain and opens its secrets; {@link IllegalArgumentException} with the reason otherwise. */
    public static DrainDefinition fromBytes(byte[] json, DrainSecrets secrets) {
        try {
            JsonNode node = MAPPER.readTree(json);
            String id = required(node, "id");
            JsonNode r = node.path("recipient");
            JsonNode sealed = r.path("sealed");
            DrainRecipient recipient = new DrainRecipient(DrainType.valueOf(required(r, "type")),
                    open(sealed, "url", id, secrets), text(r, "index"), text(r, "username"),
                    open(sealed, "password", id, secrets), open(sealed, "apiKey", id, secrets),
                    open(sealed, "sourceToken", id, secrets),
                    open(sealed, "rfc5424StructuredDataParameters", id, secrets));
            String updated = text(node, "updatedAt");
            return new DrainDefinition(id, required(node, "addonId"), required(node, "ownerId"), text(node, "kind"),
                    recipient, node.path("enabled").asBoolean(true), Instant.parse(required(node, "createdAt")),
                    updated == null ? null : Instant.parse(updated));
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a drain record: " + e.getMessage(), e);
        }
    }

    private static void seal(ObjectNode sealed, String field, Secret secret, String id, DrainSecrets secrets) {
        if (secret != null) {
            sealed.put(field, secrets.seal(secret, id));
        }
    }

    private static Secret open(JsonNode sealed, String field, String id, DrainSecrets secrets) {
        String value = text(sealed, field);
        return value == null ? null : secrets.open(value, id);
    }

    static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new IllegalArgumentException("lacks " + field);
        }
        return value;
    }

    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isTextual() || value.asText().isEmpty() ? null : value.asText();
    }
}
