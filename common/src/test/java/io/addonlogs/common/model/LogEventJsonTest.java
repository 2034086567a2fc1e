package io.addonlogs.common.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

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
}
