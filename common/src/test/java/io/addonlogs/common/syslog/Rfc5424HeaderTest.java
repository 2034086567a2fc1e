package io.addonlogs.common.syslog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Rfc5424HeaderTest {

    private static final String BOM = "\uFEFF";

    private final Rfc5424Header header = new Rfc5424Header();

    private Rfc5424Header parse(String line) {
        byte[] bytes = line.getBytes(UTF_8);
        // parse from the middle of a larger array: offsets must be honoured
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);
        assertTrue(header.parse(padded, 5, bytes.length), () -> line + " -> " + header.rejection());
        return header;
    }

    private Rejection reject(String line) {
        byte[] bytes = line.getBytes(UTF_8);
        assertFalse(header.parse(bytes, 0, bytes.length), line);
        return header.rejection();
    }

    @Test
    void seedLine() {
        Rfc5424Header h = parse("<190>1 2013-03-27T20:02:24+00:00 hostname logtoken_foobar procid - - foo");
        assertEquals(190, h.pri());
        assertEquals(Facility.LOCAL7, h.facility());
        assertEquals(Severity.INFO, h.severity());
        assertEquals("local7", h.facility().keyword());
        assertEquals("info", h.severity().keyword());
        assertEquals(OffsetDateTime.parse("2013-03-27T20:02:24+00:00").toInstant().toEpochMilli(), h.timestampMillis());
        assertEquals("hostname", h.hostname());
        assertEquals("logtoken_foobar", h.appName());
        assertTrue(h.appNameEquals("logtoken_foobar".getBytes(UTF_8)));
        assertFalse(h.appNameEquals("logtoken_fooba".getBytes(UTF_8)));
        assertFalse(h.appNameEquals("logtoken_foobarr".getBytes(UTF_8)));
        assertEquals("procid", h.procId());
        assertNull(h.msgId());
        assertNull(h.structuredData());
        assertEquals("foo", h.message());
    }

    // RFC 5424 section 6.5, examples 1 to 4
    @Test
    void rfcExample1WithBom() {
        Rfc5424Header h = parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
                + BOM + "'su root' failed for lonvick on /dev/pts/8");
        assertEquals(Facility.AUTH, h.facility());
        assertEquals(Severity.CRIT, h.severity());
        assertEquals(OffsetDateTime.parse("2003-10-11T22:14:15.003Z").toInstant().toEpochMilli(), h.timestampMillis());
        assertEquals("su", h.appName());
        assertNull(h.procId());
        assertEquals("ID47", h.msgId());
        assertTrue(h.messageHadBom());
        assertEquals("'su root' failed for lonvick on /dev/pts/8", h.message());
    }

    @Test
    void rfcExample2MicrosecondsAndOffset() {
        Rfc5424Header h = parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
                + "%% It's time to make the do-nuts.");
        assertEquals(OffsetDateTime.parse("2003-08-24T05:14:15.000003-07:00").toInstant().toEpochMilli(),
                h.timestampMillis());
        assertEquals("192.0.2.1", h.hostname());
        assertEquals("8710", h.procId());
        assertFalse(h.messageHadBom());
        assertEquals("%% It's time to make the do-nuts.", h.message());
    }

    @Test
    void rfcExample3And4StructuredData() {
        String sd = "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]";
        Rfc5424Header h = parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 " + sd
                + " " + BOM + "An application event log entry...");
        assertEquals(sd, h.structuredData());
        assertEquals("An application event log entry...", h.message());

        String sd2 = sd + "[examplePriority@32473 class=\"high\"]";
        h = parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 " + sd2);
        assertEquals(sd2, h.structuredData());
        assertEquals("", h.message());
    }

    @Test
    void structuredDataWithEscapes() {
        String sd = "[meta q=\"a \\\"quoted\\\" \\] and \\\\ backslash\" zone=\"par\"]";
        Rfc5424Header h = parse("<14>1 - host app 1 - " + sd + " msg");
        assertEquals(sd, h.structuredData());
        assertEquals("msg", h.message());
        assertTrue(h.timestampNil());
    }

    @Test
    void herokuDrainWithoutStructuredData() {
        Rfc5424Header h = parse("<190>1 2024-01-02T03:04:05.678901+00:00 host app web.1 - State changed from up to down");
        assertNull(h.structuredData());
        assertEquals("web.1", h.procId());
        assertEquals("State changed from up to down", h.message());
    }

    @Test
    void messageMayHoldAnyBytesIncludingNewlinesAndNul() {
        byte[] line = "<14>1 - h a p - - one\ntwo\0three\n".getBytes(UTF_8);
        line[line.length - 3] = (byte) 0xFF; // invalid UTF-8 is still a valid MSG
        assertTrue(header.parse(line, 0, line.length), () -> String.valueOf(header.rejection()));
        assertEquals(line.length - 18, header.messageLength());
    }

    @Test
    void priBoundsAndNilFields() {
        assertEquals(0, parse("<0>1 - - - - -").pri());
        Rfc5424Header h = parse("<191>1 - - - - -");
        assertEquals(Facility.LOCAL7, h.facility());
        assertEquals(Severity.DEBUG, h.severity());
        assertNull(h.hostname());
        assertNull(h.appName());
        assertEquals("", h.message());
    }

    @Test
    void fieldsAtTheirMaximumLength() {
        Rfc5424Header h = parse("<14>1 - " + "h".repeat(255) + " " + "a".repeat(48) + " " + "p".repeat(128) + " "
                + "m".repeat(32) + " - x");
        assertEquals(48, h.appName().length());
        assertEquals("x", h.message());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            PRI 192                  | <192>1 - h a p - -                              | PRI             | 192 is out of range 0..191
            PRI leading zero         | <002>1 - h a p - -                              | PRI             | must not have leading zeros
            PRI empty                | <>1 - h a p - -                                 | PRI             | expected 1 to 3 digits after '<'
            PRI four digits          | <1000>1 - h a p - -                             | PRI             | expected '>' after at most 3 digits
            no PRI                   | 1 - h a p - -                                   | PRI             | must start with '<'
            version 0                | <14>0 - h a p - -                               | VERSION         | must be 1
            version 2                | <14>2 - h a p - -                               | VERSION         | must be 1
            version 10               | <14>10 - h a p - -                              | VERSION         | must be 1
            lowercase t              | <14>1 2013-03-27t20:02:24Z h a p - -            | TIMESTAMP       | expected an upper-case 'T' between date and time
            lowercase z              | <14>1 2013-03-27T20:02:24z h a p - -            | TIMESTAMP       | expected an upper-case 'Z' or an offset +hh:mm / -hh:mm
            Feb 29 in 2023           | <14>1 2023-02-29T20:02:24Z h a p - -            | TIMESTAMP       | expected a valid date YYYY-MM-DD
            Feb 29 in 1900           | <14>1 1900-02-29T20:02:24Z h a p - -            | TIMESTAMP       | expected a valid date YYYY-MM-DD
            April 31                 | <14>1 2024-04-31T20:02:24Z h a p - -            | TIMESTAMP       | expected a valid date YYYY-MM-DD
            month 13                 | <14>1 2024-13-01T20:02:24Z h a p - -            | TIMESTAMP       | expected a valid date YYYY-MM-DD
            hour 24                  | <14>1 2024-01-01T24:00:00Z h a p - -            | TIMESTAMP       | expected a valid time hh:mm:ss
            leap second              | <14>1 2024-01-01T23:59:60Z h a p - -            | TIMESTAMP       | expected a valid time hh:mm:ss
            seven fraction digits    | <14>1 2003-08-24T05:14:15.000000003-07:00 h a p - - | TIMESTAMP   | a fraction of a second has 1 to 6 digits
            empty fraction           | <14>1 2003-08-24T05:14:15.Z h a p - -           | TIMESTAMP       | a fraction of a second has 1 to 6 digits
            offset hour 24           | <14>1 2003-08-24T05:14:15+24:00 h a p - -       | TIMESTAMP       | expected a valid offset +hh:mm or -hh:mm
            no offset                | <14>1 2003-08-24T05:14:15 h a p - -             | TIMESTAMP       | expected an upper-case 'Z' or an offset +hh:mm / -hh:mm
            date only                | <14>1 2003-08-24 h a p - -                      | TIMESTAMP       | expected an upper-case 'T' between date and time
            HOSTNAME 256             | <14>1 - HHHH a p - -                            | HOSTNAME        | longer than 255 characters
            APP-NAME 49              | <14>1 - h AAAA p - -                            | APP_NAME        | longer than 48 characters
            PROCID 129               | <14>1 - h a PPPP - -                            | PROCID          | longer than 128 characters
            MSGID 33                 | <14>1 - h a p MMMM -                            | MSGID           | longer than 32 characters
            two spaces               | <14>1 -  a p - -                                | HOSTNAME        | empty (two spaces in a row)
            non-ASCII hostname       | <14>1 - hé a p - -                              | HOSTNAME        | contains a byte outside printable US-ASCII
            ends after hostname      | <14>1 - h                                       | HOSTNAME        | missing the space after it (message ends early)
            ends after APP-NAME      | <14>1 - h a                                     | APP_NAME        | missing the space after it (message ends early)
            SD not closed            | <14>1 - h a p - [id k="v"                       | STRUCTURED_DATA | element not closed by ']'
            SD missing =             | <14>1 - h a p - [id k"v"]                       | STRUCTURED_DATA | expected '=' after PARAM-NAME
            SD unquoted value        | <14>1 - h a p - [id k=v]                        | STRUCTURED_DATA | PARAM-VALUE must be in double quotes
            SD value not closed      | <14>1 - h a p - [id k="v]                       | STRUCTURED_DATA | PARAM-VALUE not closed by '"'
            SD empty SD-ID           | <14>1 - h a p - [] msg                          | STRUCTURED_DATA | SD-ID must be 1 to 32 characters
            SD-ID 33                 | <14>1 - h a p - [IIII] msg                      | STRUCTURED_DATA | SD-ID must be 1 to 32 characters
            SD junk after ]          | <14>1 - h a p - [id]x msg                       | STRUCTURED_DATA | expected a space or the end of the message after it
            SD junk inside           | <14>1 - h a p - [id k="v"x] msg                 | STRUCTURED_DATA | expected ' ' or ']' after an SD-ID or parameter
            """)
    void invalidLines(String name, String line, SyslogField field, String reason) {
        String expanded = line.replace("HHHH", "h".repeat(256)).replace("AAAA", "a".repeat(49))
                .replace("PPPP", "p".repeat(129)).replace("MMMM", "m".repeat(33)).replace("IIII", "i".repeat(33));
        Rejection rejection = reject(expanded);
        assertEquals(field, rejection.field(), name);
        assertEquals(reason, rejection.reason(), name);
    }

    @Test
    void rejectionMessageNamesTheFieldAsTheRfcDoes() {
        assertEquals("APP-NAME: longer than 48 characters",
                reject("<14>1 - h " + "a".repeat(49) + " p - -").message());
    }

    @Test
    void timestampsAgreeWithJavaTime() {
        Random random = new Random(7);
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");
        for (int i = 0; i < 5_000; i++) {
            OffsetDateTime time = OffsetDateTime.of(1 + random.nextInt(9998), 1 + random.nextInt(12),
                    1 + random.nextInt(28), random.nextInt(24), random.nextInt(60), random.nextInt(60),
                    random.nextInt(1_000_000) * 1000,
                    ZoneOffset.ofTotalSeconds((random.nextInt(18 * 4 * 2 + 1) - 18 * 4) * 15 * 60));
            String text = format.format(time).replace("+00:00", "Z");
            Rfc5424Header h = parse("<14>1 " + text + " h a p - -");
            assertEquals(time.toInstant().toEpochMilli(), h.timestampMillis(), text);
        }
    }
}
