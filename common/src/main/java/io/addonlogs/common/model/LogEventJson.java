package io.addonlogs.common.model;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of a {@code RESOURCE_LOG} event: every field present (null when unknown), {@code date} as ISO-8601 UTC
 * with milliseconds and {@code Z}, e.g. {@code 2013-03-27T20:02:24.000Z}. Thread-safe.
 */
public final class LogEventJson {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter WRITER = MAPPER.writer();

    private LogEventJson() {
    }

    public static String formatDate(Instant date) {
        return DATE.format(date);
    }

    public static String toJson(LogEvent event) {
        ObjectNode node = MAPPER.createObjectNode()
                .put("id", event.id())
                .put("date", formatDate(event.date()))
                .put("resourceId", event.resourceId())
                .put("hostname", event.hostname())
                .put("instanceId", event.instanceId())
                .put("pid", event.pid())
                .put("service", event.service())
                .put("severity", event.severity())
                .put("facility", event.facility())
                .put("zone", event.zone())
                .put("region", event.region())
                .put("message", event.message());
        try {
            return WRITER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen for a tree of strings", e);
        }
    }

    /** Reads the JSON back (for clients and tests). */
    public static LogEvent fromJson(String json) {
        try {
            ObjectNode node = (ObjectNode) MAPPER.readTree(json);
            return new LogEvent(text(node, "id"), Instant.parse(node.get("date").asText()), text(node, "resourceId"),
                    text(node, "hostname"), text(node, "instanceId"), text(node, "pid"), text(node, "service"),
                    text(node, "severity"), text(node, "facility"), text(node, "zone"), text(node, "region"),
                    text(node, "message"));
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a RESOURCE_LOG event: " + e.getMessage(), e);
        }
    }

    private static String text(ObjectNode node, String field) {
        var value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
