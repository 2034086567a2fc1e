package io.addonlogs.common.model;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of a {@code RESOURCE_LOG} event: every field present (null when unknown), {@code date} as ISO-8601 UTC
 * with milliseconds and {@code Z}, e.g. {@code 2013-03-27T20:02:24.000Z}. Thread-safe.
 *
 * <p>Written field by field with Jackson's streaming generator, the date with a fixed-width formatter: a busy
 * replay's reading threads spent about half their time building a tree per line and formatting its date through
 * {@link DateTimeFormatter} (docs/BENCHMARKS.md). The bytes are those of the tree it replaced ({@code
 * LogEventJsonTest} compares them).
 */
public final class LogEventJson {

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory JSON = MAPPER.getFactory();

    private LogEventJson() {
    }

    public static String formatDate(Instant date) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(date.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = t.getYear();
        if (year < 1 || year > 9999) {
            return DATE.format(date); // years of era and signs as DateTimeFormatter prints them
        }
        char[] out = new char[24];
        digits(out, 0, year, 4);
        out[4] = '-';
        digits(out, 5, t.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, t.getDayOfMonth(), 2);
        out[10] = 'T';
        digits(out, 11, t.getHour(), 2);
        out[13] = ':';
        digits(out, 14, t.getMinute(), 2);
        out[16] = ':';
        digits(out, 17, t.getSecond(), 2);
        out[19] = '.';
        digits(out, 20, date.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    /** {@code value} as {@code width} decimal digits at {@code at}, zero-padded. */
    private static void digits(char[] out, int at, int value, int width) {
        int v = value;
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + v % 10);
            v /= 10;
        }
    }

    public static String toJson(LogEvent event) {
        StringWriter out = new StringWriter(256 + (event.message() == null ? 0 : event.message().length()));
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(event, json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen writing to a string", e);
        }
        return out.toString();
    }

    /**
     * Appends the JSON's UTF-8 bytes to {@code out}: an SSE stream's events are bytes, and going through a string
     * cost a replay's reading threads four copies of every event. The same bytes as {@link #toJson}'s in UTF-8, but
     * for characters beyond the BMP, written as the escaped pair of their surrogates ({@code \uD83D\uDE00}, as
     * RFC 8259 allows: any JSON parser reads the same string); Jackson's option to write their four bytes instead
     * merges a lone surrogate with the next character.
     */
    public static void writeTo(LogEvent event, OutputStream out) {
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            write(event, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(LogEvent event, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", event.id());
        json.writeStringField("date", formatDate(event.date()));
        json.writeStringField("resourceId", event.resourceId());
        json.writeStringField("hostname", event.hostname());
        json.writeStringField("instanceId", event.instanceId());
        json.writeStringField("pid", event.pid());
        json.writeStringField("service", event.service());
        json.writeStringField("severity", event.severity());
        json.writeStringField("facility", event.facility());
        json.writeStringField("zone", event.zone());
        json.writeStringField("region", event.region());
        json.writeStringField("message", event.message());
        json.writeEndObject();
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
