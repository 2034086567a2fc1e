package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class IngestConfigTest {

    @Test
    void anAdminTokenShorterThan32BytesIsRefused() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> IngestConfig.from(Map.of("INGEST_ADMIN_TOKEN", "x".repeat(31))));
        assertTrue(refused.getMessage().contains("INGEST_ADMIN_TOKEN must be at least 32 bytes"), refused.getMessage());
        // bytes, not characters: 16 two-byte characters are 32 bytes
        assertEquals("é".repeat(16), IngestConfig.from(Map.of("INGEST_ADMIN_TOKEN", "é".repeat(16))).adminToken());
        assertNull(IngestConfig.from(Map.of()).adminToken(), "unset: the admin API is disabled");
    }

    @Test
    void theManagementPortListensOnLoopbackUnlessToldOtherwise() {
        IngestConfig defaults = IngestConfig.from(Map.of());
        assertEquals("0.0.0.0", defaults.host());
        assertEquals("127.0.0.1", defaults.managementHost());
        assertEquals("10.1.2.3", IngestConfig.from(Map.of("INGEST_MANAGEMENT_HOST", "10.1.2.3")).managementHost());
        String printed = IngestConfig.from(Map.of("INGEST_ADMIN_TOKEN", "s".repeat(40))).toString();
        assertFalse(printed.contains("s".repeat(40)), "the token is masked: " + printed);
    }

    @Test
    void partialFramesMayHoldAQuarterOfTheHeapBy64MiBAtMost() {
        assertEquals(15L << 20, IngestConfig.defaultPartialFrameBytes(60L << 20), "the image's 60 MiB heap");
        assertEquals(64L << 20, IngestConfig.defaultPartialFrameBytes(1L << 30));
        assertEquals(64L << 10, IngestConfig.defaultPartialFrameBytes(128L << 10), "never under the setting's minimum");
        assertEquals(IngestConfig.defaultPartialFrameBytes(Runtime.getRuntime().maxMemory()),
                IngestConfig.from(Map.of()).maxPartialFrameBytes());
        assertEquals(1L << 20, IngestConfig.from(Map.of("INGEST_MAX_PARTIAL_FRAME_BYTES", "1048576"))
                .maxPartialFrameBytes());
    }
}
