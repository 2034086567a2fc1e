package io.addonlogs.common.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.addonlogs.common.syslog.Rfc5424Header;

class LogEventJsonTest {

    private static LogEvent map(String line, long receivedAt) {
        Rfc5424Header header = new Rfc5424Header();
        byte[] bytes = line.getBytes(UTF_8);
        assertTrue(header.parse(bytes, 0, bytes.length));
        return LogEvent.from("cursor-1", "addon_123", receivedAt, header);
    }

    @Test
    void mapsTheSeedLineWithoutTheToken() throws Exception {
        LogEvent event = map("<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo\n", 0);
        String json = LogEventJson.toJson(event);

        assertFalse(json.contains("logtoken_foobar"), json);
        JsonNode node = new ObjectMapper().readTree(json);
        assertEquals("cursor-1", node.get("id").asText());
        assertEquals("2013-03-27T20:02:24.000Z", node.get("date").asText());
        assertEquals("addon_123", node.get("resourceId").asText());
        assertEquals("hostname", node.get("hostname").asText());
        assertEquals("procid", node.get("instanceId").asText());
        assertEquals("procid", node.get("pid").asText());
        assertTrue(node.get("service").isNull());
        assertEquals("info", node.get("severity").asText());
        assertEquals("local7", node.get("facility").asText());
        assertTrue(node.get("zone").isNull());
        assertEquals("foo", node.get("message").asText(), "one trailing newline is dropped");
        assertEquals(12, node.size());
        assertEquals(event, LogEventJson.fromJson(json));
    }

    @Test
    void nilTimestampTakesTheReceiveTimeAndSdGivesZoneAndRegion() {
        long received = Instant.parse("2026-11-23T10:11:12.345Z").toEpochMilli();
        LogEvent event = map("<11>1 - h tok p MSG1 [meta zone=\"par\\\"1\" region=\"eu\"] boom\r\n", received);
        assertEquals("2026-11-23T10:11:12.345Z", LogEventJson.formatDate(event.date()));
        assertEquals("err", event.severity());
        assertEquals("user", event.facility());
        assertEquals("MSG1", event.service());
        assertEquals("par\"1", event.zone());
        assertEquals("eu", event.region());
        assertEquals("boom", event.message());
    }

    @Test
    void parameterNamesInsideValuesAreNotMistakenForParameters() {
        LogEvent event = map("<14>1 - h tok p - [meta note=\" zone=\\\"fake\\\"\"] m", 0);
        assertNull(event.zone());
    }

    /**
     * The streaming writer gives the bytes the tree it replaced gave, and the date formatter what
     * {@code DateTimeFormatter} gave, for random events: nulls, quotes, backslashes, control characters, non-ASCII and
     * surrogate pairs, dates from year 1 to 9999 with sub-millisecond parts, and years outside it.
     */
    @Test
    void writesTheSameBytesAsTheTreeItReplaced() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        java.time.format.DateTimeFormatter reference = java.time.format.DateTimeFormatter
                .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(5424);
        String alphabet = "ab \"\\/\u0000\u0001\u001f\u007f\t\n\r\u00e9\u2603\ud83d\ude00<>&'";
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 20_000; i++) {
            String[] f = new String[11];
            for (int k = 0; k < f.length; k++) {
                if (random.nextInt(4) == 0) {
                    continue; // null
                }
                StringBuilder text = new StringBuilder();
                for (int n = random.nextInt(12); n > 0; n--) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                f[k] = text.toString();
            }
            Instant date = Instant.ofEpochSecond(min + (long) (random.nextDouble() * (max - min)),
                    random.nextInt(1_000_000_000));
            LogEvent event = new LogEvent(f[0], date, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10]);
            com.fasterxml.jackson.databind.node.ObjectNode tree = mapper.createObjectNode()
                    .put("id", event.id()).put("date", reference.format(date)).put("resourceId", event.resourceId())
                    .put("hostname", event.hostname()).put("instanceId", event.instanceId()).put("pid", event.pid())
                    .put("service", event.service()).put("severity", event.severity())
                    .put("facility", event.facility()).put("zone", event.zone()).put("region", event.region())
                    .put("message", event.message());
            String expected = mapper.writer().writeValueAsString(tree);
            assertEquals(expected, LogEventJson.toJson(event));
            // the UTF-8 bytes an SSE stream carries: the same JSON, the same bytes unless a surrogate is in it
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write('>'); // appended after what the stream holds
            LogEventJson.writeTo(event, bytes);
            assertEquals('>', bytes.toByteArray()[0]);
            String written = bytes.toString(StandardCharsets.UTF_8).substring(1);
            assertEquals(tree, mapper.readTree(written), written);
            if (expected.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
                assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(bytes.toByteArray(), 1,
                        bytes.size()), expected);
            }
        }
        for (String edge : new String[] {"1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999999999Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2024-02-29T12:00:00.5Z"}) {
            Instant date = Instant.parse(edge);
            assertEquals(reference.format(date), LogEventJson.formatDate(date), edge);
        }
        for (Instant outside : new Instant[] {Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("0000-06-01T00:00:00Z"), Instant.parse("-0005-06-01T00:00:00Z")}) {
            assertEquals(reference.format(outside), LogEventJson.formatDate(outside), outside.toString());
        }
    }

    @Test
    void surrogatesAreEscapedInTheUtf8Bytes() {
        LogEvent event = new LogEvent(null, Instant.EPOCH, null, null, null, null, null, null, null, null, null,
                "x\ud83d\ude00y\ud83dz");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LogEventJson.writeTo(event, bytes);
        String written = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(written.endsWith("\"message\":\"x\\uD83D\\uDE00y\\uD83Dz\"}"), written);
        assertEquals(event.message(), LogEventJson.fromJson(written).message());
    }
}
