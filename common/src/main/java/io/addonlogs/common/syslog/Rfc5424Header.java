package io.addonlogs.common.syslog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parses the header of an RFC 5424 syslog message in place:
 * {@code <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP [SD] [SP MSG]}.
 *
 * <p>A flyweight: {@link #parse} records where each field lies in the caller's array and validates it, without
 * copying the message bytes; getters read from that array, so they are valid only while the caller keeps it
 * unchanged. One instance may parse any number of messages, one at a time (not thread-safe).
 *
 * <p>Leniencies, each on purpose: STRUCTURED-DATA may be absent (Heroku drains omit it; what follows MSGID is then
 * MSG); inside a quoted PARAM-VALUE an unescaped {@code ]} is accepted (the quotes already delimit it); a message
 * may end right after MSGID. Everything else follows the RFC's ABNF, and a violation yields a {@link Rejection}
 * naming the field, never an exception.
 */
public final class Rfc5424Header {

    public static final int MAX_HOSTNAME = 255;
    public static final int MAX_APP_NAME = 48;
    public static final int MAX_PROCID = 128;
    public static final int MAX_MSGID = 32;
    private static final int MAX_SD_NAME = 32;
    private static final int MAX_PRI = 191;

    private byte[] buf;
    private int start;
    private int end;
    private int p;

    private int pri;
    private long timestampMillis;
    private boolean timestampNil;
    private int hostOff;
    private int hostLen;
    private int appOff;
    private int appLen;
    private int procOff;
    private int procLen;
    private int msgIdOff;
    private int msgIdLen;
    private int sdOff;
    private int sdLen;
    private int msgOff;
    private boolean bom;
    private Rejection rejection;

    /**
     * Parses {@code buf[offset, offset + length)}. Returns {@code true} if it is a valid RFC 5424 message; otherwise
     * {@link #rejection()} says why and the getters are undefined.
     */
    public boolean parse(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.start = offset;
        this.end = offset + length;
        this.p = offset;
        this.rejection = null;
        return readPri() && readVersion() && readTimestamp() && readHostname() && readAppName() && readProcId()
                && readMsgId() && readStructuredDataAndMessage();
    }

    public Rejection rejection() {
        return rejection;
    }

    public int pri() {
        return pri;
    }

    public Severity severity() {
        return Severity.of(pri & 7);
    }

    public Facility facility() {
        return Facility.of(pri >> 3);
    }

    /** TIMESTAMP as epoch milliseconds (fractions beyond milliseconds truncated); undefined if nil. */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** {@code true} if TIMESTAMP is the NILVALUE {@code -}. */
    public boolean timestampNil() {
        return timestampNil;
    }

    /** HOSTNAME, or {@code null} for the NILVALUE. */
    public String hostname() {
        return ascii(hostOff, hostLen);
    }

    /** APP-NAME, or {@code null} for the NILVALUE. On this service APP-NAME is the log token: never show it. */
    public String appName() {
        return ascii(appOff, appLen);
    }

    /** Whether APP-NAME is exactly these (ASCII) bytes; compares in place. */
    public boolean appNameEquals(byte[] expected) {
        return Arrays.equals(buf, appOff, appOff + appLen, expected, 0, expected.length);
    }

    /** PROCID, or {@code null} for the NILVALUE. */
    public String procId() {
        return ascii(procOff, procLen);
    }

    /** MSGID, or {@code null} for the NILVALUE. */
    public String msgId() {
        return ascii(msgIdOff, msgIdLen);
    }

    /** STRUCTURED-DATA as sent ({@code [..][..]}), or {@code null} when nil or absent. */
    public String structuredData() {
        return sdLen == 0 ? null : new String(buf, sdOff, sdLen, StandardCharsets.UTF_8);
    }

    /** Offset in the array where MSG starts, after a UTF-8 BOM if there is one. */
    public int messageOffset() {
        return msgOff;
    }

    public int messageLength() {
        return end - msgOff;
    }

    /** Whether MSG started with a UTF-8 BOM (then skipped by {@link #messageOffset()}). */
    public boolean messageHadBom() {
        return bom;
    }

    /** MSG decoded as UTF-8 (malformed sequences replaced), without the BOM. */
    public String message() {
        return new String(buf, msgOff, end - msgOff, StandardCharsets.UTF_8);
    }

    private String ascii(int off, int len) {
        if (len == 1 && buf[off] == '-') {
            return null;
        }
        return new String(buf, off, len, StandardCharsets.US_ASCII);
    }

    // --- fields, in order; each advances p past its trailing SP or fails ---

    private boolean readPri() {
        if (p >= end || buf[p] != '<') {
            return reject(SyslogField.PRI, "must start with '<'");
        }
        p++;
        int digitsStart = p;
        int value = 0;
        while (p < end && isDigit(buf[p]) && p - digitsStart < 3) {
            value = value * 10 + (buf[p++] - '0');
        }
        int digits = p - digitsStart;
        if (digits == 0) {
            return reject(SyslogField.PRI, "expected 1 to 3 digits after '<'");
        }
        if (p >= end || buf[p] != '>') {
            return reject(SyslogField.PRI, "expected '>' after at most 3 digits");
        }
        if (digits > 1 && buf[digitsStart] == '0') {
            return reject(SyslogField.PRI, "must not have leading zeros");
        }
        if (value > MAX_PRI) {
            return reject(SyslogField.PRI, value + " is out of range 0..191");
        }
        pri = value;
        p++;
        return true;
    }

    private boolean readVersion() {
        int from = p;
        while (p < end && isDigit(buf[p])) {
            p++;
        }
        if (p - from != 1 || buf[from] != '1') {
            return reject(SyslogField.VERSION, "must be 1");
        }
        return space(SyslogField.VERSION);
    }

    private boolean readTimestamp() {
        if (p < end && buf[p] == '-') {
            p++;
            timestampNil = true;
            return space(SyslogField.TIMESTAMP);
        }
        timestampNil = false;
        int year = digits(4);
        int month = dash(year) ? digits(2) : -1;
        int day = dash(month) ? digits(2) : -1;
        if (day < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
            return reject(SyslogField.TIMESTAMP, "expected a valid date YYYY-MM-DD");
        }
        if (p >= end || buf[p] != 'T') {
            return reject(SyslogField.TIMESTAMP, "expected an upper-case 'T' between date and time");
        }
        p++;
        int hour = digits(2);
        int minute = colon(hour) ? digits(2) : -1;
        int second = colon(minute) ? digits(2) : -1;
        if (second < 0 || hour > 23 || minute > 59 || second > 59) {
            return reject(SyslogField.TIMESTAMP, "expected a valid time hh:mm:ss");
        }
        int millis = 0;
        if (p < end && buf[p] == '.') {
            p++;
            int from = p;
            while (p < end && isDigit(buf[p])) {
                if (p - from < 3) {
                    millis = millis * 10 + (buf[p] - '0');
                }
                p++;
            }
            int fractionDigits = p - from;
            if (fractionDigits < 1 || fractionDigits > 6) {
                return reject(SyslogField.TIMESTAMP, "a fraction of a second has 1 to 6 digits");
            }
            for (int i = fractionDigits; i < 3; i++) {
                millis *= 10;
            }
        }
        int offsetMinutes;
        if (p < end && buf[p] == 'Z') {
            p++;
            offsetMinutes = 0;
        } else if (p < end && (buf[p] == '+' || buf[p] == '-')) {
            int sign = buf[p++] == '-' ? -1 : 1;
            int offHour = digits(2);
            int offMinute = colon(offHour) ? digits(2) : -1;
            if (offMinute < 0 || offHour > 23 || offMinute > 59) {
                return reject(SyslogField.TIMESTAMP, "expected a valid offset +hh:mm or -hh:mm");
            }
            offsetMinutes = sign * (offHour * 60 + offMinute);
        } else {
            return reject(SyslogField.TIMESTAMP, "expected an upper-case 'Z' or an offset +hh:mm / -hh:mm");
        }
        long days = daysFromCivil(year, month, day);
        timestampMillis = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000L + second * 1000L + millis;
        return space(SyslogField.TIMESTAMP);
    }

    private boolean readHostname() {
        hostOff = p;
        hostLen = token(SyslogField.HOSTNAME, MAX_HOSTNAME);
        return hostLen > 0;
    }

    private boolean readAppName() {
        appOff = p;
        appLen = token(SyslogField.APP_NAME, MAX_APP_NAME);
        return appLen > 0;
    }

    private boolean readProcId() {
        procOff = p;
        procLen = token(SyslogField.PROCID, MAX_PROCID);
        return procLen > 0;
    }

    /** Reads 1..max printable US-ASCII characters and the SP after them; returns the length or 0 on error. */
    private int token(SyslogField field, int max) {
        int from = p;
        while (p < end && buf[p] != ' ') {
            byte b = buf[p];
            if (b < 33 || b > 126) {
                reject(field, "contains a byte outside printable US-ASCII");
                return 0;
            }
            if (p - from >= max) {
                reject(field, "longer than " + max + " characters");
                return 0;
            }
            p++;
        }
        int len = p - from;
        if (len == 0) {
            reject(field, p >= end ? "missing (message ends early)" : "empty (two spaces in a row)");
            return 0;
        }
        if (p >= end) {
            reject(field, "missing the space after it (message ends early)");
            return 0;
        }
        p++;
        return len;
    }

    private boolean readMsgId() {
        int from = p;
        while (p < end && buf[p] != ' ') {
            byte b = buf[p];
            if (b < 33 || b > 126) {
                return reject(SyslogField.MSGID, "contains a byte outside printable US-ASCII");
            }
            if (p - from >= MAX_MSGID) {
                return reject(SyslogField.MSGID, "longer than " + MAX_MSGID + " characters");
            }
            p++;
        }
        msgIdOff = from;
        msgIdLen = p - from;
        if (msgIdLen == 0) {
            return reject(SyslogField.MSGID, p >= end ? "missing (message ends early)" : "empty (two spaces in a row)");
        }
        if (p < end) {
            p++; // SP
        }
        return true;
    }

    private boolean readStructuredDataAndMessage() {
        sdOff = p;
        sdLen = 0;
        if (p < end && buf[p] == '-' && (p + 1 == end || buf[p + 1] == ' ')) {
            p++;
        } else if (p < end && buf[p] == '[') {
            while (p < end && buf[p] == '[') {
                if (!sdElement()) {
                    return false;
                }
            }
            sdLen = p - sdOff;
        } else {
            // STRUCTURED-DATA absent, as in Heroku drains: the rest is MSG.
            return message(p);
        }
        if (p == end) {
            return message(end);
        }
        if (buf[p] != ' ') {
            return reject(SyslogField.STRUCTURED_DATA, "expected a space or the end of the message after it");
        }
        return message(p + 1);
    }

    private boolean sdElement() {
        p++; // '['
        if (!sdName("SD-ID")) {
            return false;
        }
        while (true) {
            if (p >= end) {
                return reject(SyslogField.STRUCTURED_DATA, "element not closed by ']'");
            }
            byte b = buf[p];
            if (b == ']') {
                p++;
                return true;
            }
            if (b != ' ') {
                return reject(SyslogField.STRUCTURED_DATA, "expected ' ' or ']' after an SD-ID or parameter");
            }
            p++;
            if (!sdName("PARAM-NAME")) {
                return false;
            }
            if (p >= end || buf[p] != '=') {
                return reject(SyslogField.STRUCTURED_DATA, "expected '=' after PARAM-NAME");
            }
            p++;
            if (p >= end || buf[p] != '"') {
                return reject(SyslogField.STRUCTURED_DATA, "PARAM-VALUE must be in double quotes");
            }
            p++;
            while (p < end && buf[p] != '"') {
                p += buf[p] == '\\' ? 2 : 1;
            }
            if (p >= end) {
                return reject(SyslogField.STRUCTURED_DATA, "PARAM-VALUE not closed by '\"'");
            }
            p++;
        }
    }

    private boolean sdName(String what) {
        int from = p;
        while (p < end) {
            byte b = buf[p];
            if (b == '=' || b == ' ' || b == ']' || b == '"') {
                break;
            }
            if (b < 33 || b > 126) {
                return reject(SyslogField.STRUCTURED_DATA, what + " contains a byte outside printable US-ASCII");
            }
            p++;
        }
        int len = p - from;
        if (len < 1 || len > MAX_SD_NAME) {
            return reject(SyslogField.STRUCTURED_DATA, what + " must be 1 to " + MAX_SD_NAME + " characters");
        }
        return true;
    }

    private boolean message(int from) {
        bom = end - from >= 3 && buf[from] == (byte) 0xEF && buf[from + 1] == (byte) 0xBB && buf[from + 2] == (byte) 0xBF;
        msgOff = bom ? from + 3 : from;
        p = end;
        return true;
    }

    // --- small helpers ---

    private boolean space(SyslogField field) {
        if (p >= end || buf[p] != ' ') {
            return reject(field, "expected a space after it");
        }
        p++;
        return true;
    }

    private int digits(int n) {
        if (end - p < n) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < n; i++) {
            byte b = buf[p + i];
            if (!isDigit(b)) {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        p += n;
        return value;
    }

    private boolean dash(int previous) {
        return separator(previous, '-');
    }

    private boolean colon(int previous) {
        return separator(previous, ':');
    }

    private boolean separator(int previous, char c) {
        if (previous < 0 || p >= end || buf[p] != c) {
            return false;
        }
        p++;
        return true;
    }

    private boolean reject(SyslogField field, String reason) {
        rejection = new Rejection(field, p - start, reason);
        return false;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }
}
