package io.addonlogs.service.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.tokens.TokenRecord;

class TokenRegistryTest {

    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private final TokenRegistry registry = new TokenRegistry();

    @Test
    void namesAnAddonByIdOrRealId() {
        registry.put("lt_a", new TokenRecord("addon_1", "orga_1", T, "postgresql_1", "orders"));
        Addon addon = registry.addon("postgresql_1").orElseThrow();
        assertEquals(new Addon("addon_1", "postgresql_1", "orga_1", "orders", List.of("lt_a")), addon);
        assertEquals(addon, registry.addon("addon_1").orElseThrow());
        assertEquals(List.of(addon), registry.addonsOf("orga_1"));
        assertTrue(registry.addon("postgresql_2").isEmpty());
    }

    @Test
    void rotationKeepsTheAddonAndRevokingTheLastTokenRemovesIt() {
        registry.put("lt_a", new TokenRecord("addon_1", "orga_1", T, "postgresql_1", "orders"));
        registry.put("lt_b", new TokenRecord("addon_1", "orga_1", T, "postgresql_1", "orders"));
        assertEquals(List.of("lt_a", "lt_b"), registry.addon("postgresql_1").orElseThrow().tokens());
        assertEquals(2, registry.byAddon("addon_1").size());

        registry.revoke("lt_a");
        assertEquals(List.of("lt_b"), registry.addon("addon_1").orElseThrow().tokens());
        registry.revoke("lt_b");
        assertTrue(registry.addon("addon_1").isEmpty());
        assertTrue(registry.addon("postgresql_1").isEmpty());
        assertTrue(registry.addonsOf("orga_1").isEmpty());
        assertTrue(registry.byAddon("addon_1").isEmpty());
    }

    @Test
    void aConflictingLaterRecordNeverMovesTheAddonToAnotherOwner() {
        registry.put("lt_first", new TokenRecord("addon_1", "orga_1", T));
        registry.put("lt_intruder", new TokenRecord("addon_1", "orga_2", T));
        assertEquals("orga_1", registry.addon("addon_1").orElseThrow().ownerId());
        assertTrue(registry.addonsOf("orga_2").isEmpty());

        // once the first owner's tokens are gone, the add-on is what its remaining token says
        registry.revoke("lt_first");
        assertEquals("orga_2", registry.addon("addon_1").orElseThrow().ownerId());
        assertTrue(registry.addonsOf("orga_1").isEmpty());
        assertEquals(1, registry.addonsOf("orga_2").size());
    }

    @Test
    void aTokenRewrittenForAnotherAddonLeavesTheFirst() {
        registry.put("lt_a", new TokenRecord("addon_1", "orga_1", T));
        registry.put("lt_a", new TokenRecord("addon_2", "orga_1", T));
        assertTrue(registry.addon("addon_1").isEmpty());
        assertEquals(List.of("lt_a"), registry.addon("addon_2").orElseThrow().tokens());
    }
}
