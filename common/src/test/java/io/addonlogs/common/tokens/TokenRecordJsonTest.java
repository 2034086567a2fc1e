package io.addonlogs.common.tokens;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class TokenRecordJsonTest {

    @Test
    void roundTrips() {
        TokenRecord record = new TokenRecord("addon_1", "orga_1", Instant.parse("2026-11-23T10:00:00Z"));
        byte[] json = TokenRecordJson.toBytes(record);
        assertEquals("{\"addonId\":\"addon_1\",\"realId\":\"addon_1\",\"name\":\"addon_1\",\"ownerId\":\"orga_1\","
                + "\"createdAt\":\"2026-11-23T10:00:00Z\"}", new String(json, UTF_8));
        assertEquals(record, TokenRecordJson.fromBytes(json));
    }

    @Test
    void roundTripsRealIdAndName() {
        TokenRecord record = new TokenRecord("addon_1", "orga_1", Instant.parse("2026-11-23T10:00:00Z"),
                "postgresql_0b4f1c2e", "orders-db");
        assertEquals(record, TokenRecordJson.fromBytes(TokenRecordJson.toBytes(record)));
    }

    @Test
    void recordsWrittenBeforeRealIdsReadAsTheAddonId() {
        TokenRecord record = TokenRecordJson.fromBytes(
                "{\"addonId\":\"addon_1\",\"ownerId\":\"orga_1\",\"createdAt\":\"2026-11-23T10:00:00Z\"}".getBytes(UTF_8));
        assertEquals("addon_1", record.realId());
        assertEquals("addon_1", record.name());
    }

    @Test
    void rejectsWhatIsNotARecord() {
        assertThrows(IllegalArgumentException.class, () -> TokenRecordJson.fromBytes("{}".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> TokenRecordJson.fromBytes("nope".getBytes(UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> TokenRecordJson.fromBytes(
                "{\"addonId\":\"a\",\"ownerId\":\"o\",\"createdAt\":\"yesterday\"}".getBytes(UTF_8)));
    }
}
