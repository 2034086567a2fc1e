package io.addonlogs.common.tokens;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON of a {@link TokenRecord}: {@code {"addonId","realId","name","ownerId","createdAt"}}, createdAt in ISO-8601.
 * Records written before add-ons had real ids lack {@code realId} and {@code name}; they read as the add-on id.
 */
public final class TokenRecordJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenRecordJson() {
    }

    public static ObjectNode toNode(TokenRecord record) {
        return MAPPER.createObjectNode()
                .put("addonId", record.addonId())
                .put("realId", record.realId())
                .put("name", record.name())
                .put("ownerId", record.ownerId())
                .put("createdAt", record.createdAt().toString());
    }

    public static byte[] toBytes(TokenRecord record) {
        try {
            return MAPPER.writeValueAsBytes(toNode(record));
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen for a tree of strings", e);
        }
    }

    /** Parses a registry value; throws {@link IllegalArgumentException} with the reason if it is not one. */
    public static TokenRecord fromBytes(byte[] json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            return new TokenRecord(required(node, "addonId"), required(node, "ownerId"),
                    Instant.parse(required(node, "createdAt")), optional(node, "realId"), optional(node, "name"));
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a token record: " + e.getMessage(), e);
        }
    }

    private static String required(JsonNode node, String field) {
        String value = optional(node, field);
        if (value == null) {
            throw new IllegalArgumentException("token record lacks " + field);
        }
        return value;
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isTextual() || value.asText().isEmpty() ? null : value.asText();
    }
}
