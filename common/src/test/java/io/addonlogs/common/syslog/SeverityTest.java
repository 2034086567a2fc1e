package io.addonlogs.common.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class SeverityTest {

    @Test
    void namedByKeywordCodeOrAlias() {
        for (Severity severity : Severity.values()) {
            assertEquals(severity, Severity.named(severity.keyword()));
            assertEquals(severity, Severity.named(severity.keyword().toUpperCase(java.util.Locale.ROOT)));
            assertEquals(severity, Severity.named(String.valueOf(severity.code())));
        }
        assertEquals(Severity.ERR, Severity.named("error"));
        assertEquals(Severity.WARNING, Severity.named(" warn "));
        assertEquals(Severity.CRIT, Severity.named("critical"));
        assertNull(Severity.named("loud"));
        assertNull(Severity.named("8"));
        assertNull(Severity.named(null));
    }
}
