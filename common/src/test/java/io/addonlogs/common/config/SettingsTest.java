package io.addonlogs.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SettingsTest {

    private final Settings settings = new Settings(Map.of("PORT", "8080", "BLANK", "  ", "BAD", "x1", "BIG", "70000"));

    @Test
    void readsValuesAndDefaults() {
        assertEquals(8080, settings.port("PORT", 1));
        assertEquals(1, settings.port("MISSING", 1));
        assertEquals("d", settings.string("BLANK", "d"));
        assertNull(settings.optional("BLANK"));
    }

    @Test
    void badValuesNameTheVariable() {
        assertEquals("BAD must be a whole number, got 'x1'",
                assertThrows(IllegalArgumentException.class, () -> settings.port("BAD", 1)).getMessage());
        assertEquals("BIG must be between 0 and 65535, got 70000",
                assertThrows(IllegalArgumentException.class, () -> settings.port("BIG", 1)).getMessage());
    }

    @Test
    void remembersEveryNameReadSetOrNot() {
        Settings fresh = new Settings(Map.of("PORT", "8080"));
        fresh.port("PORT", 1);
        fresh.optional("MISSING");
        fresh.longValue("PORT", 1, 0, 9999);
        assertEquals(List.of("PORT", "MISSING"), List.copyOf(fresh.namesRead()));
    }

    @Test
    void masksSecrets() {
        assertEquals("<set>", Settings.mask("hunter2"));
        assertEquals("<unset>", Settings.mask(null));
    }
}
