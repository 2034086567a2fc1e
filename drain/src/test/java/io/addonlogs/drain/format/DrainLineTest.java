package io.addonlogs.drain.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.syslog.Rfc5424Header;

/** A drain's lines as sent: APP-NAME rewritten, and octet-counted frames whose lengths are exact at every size. */
class DrainLineTest {

    private static final DrainLine.AppName APP = DrainLine.AppName.of("addon_real");

    @Test
    void framesCarryEachLinesExactLengthWhateverItsNumberOfDigits() {
        List<DrainLine> lines = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        // from 1-digit to 5-digit lengths: the prefix is written digit by digit
        for (int msg : new int[] {0, 1, 40, 45, 46, 900, 945, 946, 9_900, 9_946, 99_000}) {
            String stored = "<190>1 2026-11-27T02:00:00.000Z host token_x web.1 - - " + "m".repeat(msg);
            DrainLine line = DrainLine.of(lines.size(), stored.getBytes(StandardCharsets.UTF_8), 0, APP,
                    new Rfc5424Header());
            assertNotNull(line, stored);
            lines.add(line);
            byte[] sent = ("<190>1 2026-11-27T02:00:00.000Z host addon_real web.1 - - " + "m".repeat(msg))
                    .getBytes(StandardCharsets.UTF_8);
            assertArrayEquals(sent, line.syslog());
            assertEquals(sent.length, line.bytes());
            expected.writeBytes((sent.length + " ").getBytes(StandardCharsets.US_ASCII));
            expected.writeBytes(sent);
        }
        assertEquals(expected.toString(StandardCharsets.UTF_8),
                new String(DrainLine.frames(lines, null, null), StandardCharsets.UTF_8));
    }

    @Test
    void anAppNameLongerThanRfc5424AllowsIsCut() {
        DrainLine.AppName app = DrainLine.AppName.of("a".repeat(60));
        assertEquals("a".repeat(48), app.name());
        assertArrayEquals("a".repeat(48).getBytes(StandardCharsets.US_ASCII), app.bytes());
    }
}
