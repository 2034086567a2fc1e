package io.addonlogs.drain.format;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.common.syslog.Rfc5424Header;

/**
 * One stored log line as drains send it. The stored line is RFC 5424 as the provider sent it, with the provider's
 * log token as APP-NAME (ingest checked it). Every drain rewrites it the same way (docs/api.md, "What a drain
 * sends"):
 * <ul>
 *   <li>APP-NAME becomes the add-on's real id (cut to RFC 5424's 48 characters): the token never leaves;</li>
 *   <li>a nil TIMESTAMP becomes the receive time (the Kafka record's timestamp), {@code yyyy-MM-ddTHH:mm:ss.SSSZ};</li>
 *   <li>everything else (PRI, HOSTNAME, PROCID, MSGID, STRUCTURED-DATA, MSG and its bytes) is kept as stored.</li>
 * </ul>
 * The line keeps the stored bytes and where its fields are, and writes the rewritten line straight into what is
 * sent (a syslog drain's frames: one copy per line); a syslog drain can insert its own SD-ELEMENT before
 * STRUCTURED-DATA (OVH's token). The text fields the JSON formats need are decoded only when one asks for them.
 */
public final class DrainLine {

    private final long offset;
    private final byte[] value;
    /** Where TIMESTAMP starts and ends (the SP after it). */
    private final int timeStart;
    private final int timeEnd;
    /** The receive time's text when TIMESTAMP is nil, else null. */
    private final byte[] receiveTime;
    /** Where APP-NAME starts (after HOSTNAME's SP) and ends (the SP after it). */
    private final int appStart;
    private final int appEnd;
    /** Where STRUCTURED-DATA starts. */
    private final int sdStart;
    private final AppName app;
    private final long timestampMillis;
    /** Decoded on first use; immutable, so a race only decodes twice. */
    private Fields fields;

    /** The APP-NAME drains send for an add-on: its real id, cut to RFC 5424's 48 characters; made once per batch. */
    public record AppName(String name, byte[] bytes) {

        public static AppName of(String realId) {
            String name = realId.length() > Rfc5424Header.MAX_APP_NAME
                    ? realId.substring(0, Rfc5424Header.MAX_APP_NAME) : realId;
            return new AppName(name, name.getBytes(StandardCharsets.US_ASCII));
        }
    }

    private record Fields(String hostname, String procId, String msgId, String severity, String facility,
                          String structuredData, String message) {
    }

    private DrainLine(long offset, byte[] value, int[] spaces, byte[] receiveTime, AppName app, long timestampMillis) {
        this.offset = offset;
        this.value = value;
        this.timeStart = spaces[0] + 1;
        this.timeEnd = spaces[1];
        this.receiveTime = receiveTime;
        this.appStart = spaces[2] + 1;
        this.appEnd = spaces[3];
        this.sdStart = spaces[5] + 1;
        this.app = app;
        this.timestampMillis = timestampMillis;
    }

    /**
     * Rewrites one stored value; null if it is not RFC 5424 (ingest stores only lines it parsed, so only a foreign
     * record in the topic is skipped).
     */
    public static DrainLine of(long offset, byte[] value, long receivedMillis, AppName app, Rfc5424Header parser) {
        if (value == null || !parser.parse(value, 0, value.length)) {
            return null;
        }
        // the header's first fields never hold a space (RFC 5424 PRINTUSASCII): find them by their separators
        int[] spaces = new int[6];
        for (int i = 0, n = 0; i < value.length && n < 6; i++) {
            if (value[i] == ' ') {
                spaces[n++] = i;
            }
            if (i == value.length - 1 && n < 6) {
                return null;
            }
        }
        boolean nilTime = parser.timestampNil();
        long millis = nilTime ? receivedMillis : parser.timestampMillis();
        byte[] receiveTime = nilTime
                ? LogEventJson.formatDate(Instant.ofEpochMilli(millis)).getBytes(StandardCharsets.US_ASCII) : null;
        return new DrainLine(offset, value, spaces, receiveTime, app, millis);
    }

    public long offset() {
        return offset;
    }

    public long timestampMillis() {
        return timestampMillis;
    }

    /** The APP-NAME sent: the add-on's real id, cut to 48 characters. */
    public String appName() {
        return app.name();
    }

    /** The line as forwarded (no SD-ELEMENT added). */
    public byte[] syslog() {
        return build(app.bytes(), null);
    }

    /** The line with {@code sdElement} ({@code [id params]}) as its first SD-ELEMENT (replacing a nil SD). */
    public byte[] syslogWith(byte[] sdElement) {
        return build(app.bytes(), sdElement);
    }

    /** The bytes of the line as forwarded. */
    public int bytes() {
        return length(app.bytes(), null);
    }

    /** The length of the line with this APP-NAME and SD-ELEMENT ({@code sdElement} may be null). */
    int length(byte[] appName, byte[] sdElement) {
        int time = receiveTime != null ? receiveTime.length : timeEnd - timeStart;
        return timeStart + time + (appStart - timeEnd) + appName.length + (sdStart - appEnd)
                + (sdElement == null ? 0 : sdElement.length - nilSdSkip()) + (value.length - sdStart);
    }

    /**
     * Writes the line with this APP-NAME and SD-ELEMENT ({@code sdElement} may be null) at {@code at}; returns where
     * it ends.
     */
    int writeTo(byte[] out, int at, byte[] appName, byte[] sdElement) {
        int p = put(value, 0, timeStart, out, at); // <PRI>VERSION SP
        p = receiveTime != null ? put(receiveTime, 0, receiveTime.length, out, p) : put(value, timeStart, timeEnd, out, p);
        p = put(value, timeEnd, appStart, out, p); // SP HOSTNAME SP
        p = put(appName, 0, appName.length, out, p);
        p = put(value, appEnd, sdStart, out, p); // SP PROCID SP MSGID SP
        int skip = 0;
        if (sdElement != null) {
            p = put(sdElement, 0, sdElement.length, out, p);
            skip = nilSdSkip();
        }
        return put(value, sdStart + skip, value.length, out, p); // STRUCTURED-DATA [SP MSG]
    }

    /**
     * RFC 6587 octet-counted frames ({@code MSG-LEN SP SYSLOG-MSG}) of {@code lines}, each with {@code appName}
     * (null: the line's own) and {@code sdElement} (may be null), written into one array.
     */
    static byte[] frames(List<DrainLine> lines, byte[] appName, byte[] sdElement) {
        int[] lengths = new int[lines.size()];
        int total = 0;
        for (int i = 0; i < lengths.length; i++) {
            DrainLine line = lines.get(i);
            lengths[i] = line.length(appName != null ? appName : line.app.bytes(), sdElement);
            total += digits(lengths[i]) + 1 + lengths[i];
        }
        byte[] out = new byte[total];
        int p = 0;
        for (int i = 0; i < lengths.length; i++) {
            DrainLine line = lines.get(i);
            p = putDecimal(lengths[i], out, p);
            out[p++] = ' ';
            p = line.writeTo(out, p, appName != null ? appName : line.app.bytes(), sdElement);
        }
        return out;
    }

    private static int digits(int n) {
        int digits = 1;
        while (n >= 10) {
            n /= 10;
            digits++;
        }
        return digits;
    }

    /** Writes {@code n} (not negative) in decimal at {@code at}; returns where it ends. */
    private static int putDecimal(int n, byte[] out, int at) {
        int end = at + digits(n);
        for (int i = end - 1; i >= at; i--) {
            out[i] = (byte) ('0' + n % 10);
            n /= 10;
        }
        return end;
    }

    private byte[] build(byte[] appName, byte[] sdElement) {
        byte[] out = new byte[length(appName, sdElement)];
        writeTo(out, 0, appName, sdElement);
        return out;
    }

    /** 1 when STRUCTURED-DATA is nil: an SD-ELEMENT inserted replaces the '-'. */
    private int nilSdSkip() {
        boolean nil = sdStart < value.length && value[sdStart] == '-'
                && (sdStart + 1 == value.length || value[sdStart + 1] == ' ');
        return nil ? 1 : 0;
    }

    private static int put(byte[] from, int start, int end, byte[] out, int at) {
        System.arraycopy(from, start, out, at, end - start);
        return at + end - start;
    }

    /** The ISO-8601 UTC time with milliseconds, as the SSE tail shows it. */
    public String date() {
        return LogEventJson.formatDate(Instant.ofEpochMilli(timestampMillis));
    }

    public String hostname() {
        return fields().hostname();
    }

    public String procId() {
        return fields().procId();
    }

    public String msgId() {
        return fields().msgId();
    }

    public String severity() {
        return fields().severity();
    }

    public String facility() {
        return fields().facility();
    }

    public String structuredData() {
        return fields().structuredData();
    }

    /** MSG as UTF-8, one trailing newline removed. */
    public String message() {
        return fields().message();
    }

    private Fields fields() {
        Fields decoded = fields;
        if (decoded == null) {
            Rfc5424Header parser = new Rfc5424Header();
            if (!parser.parse(value, 0, value.length)) {
                throw new IllegalStateException("parsed once, so it parses again");
            }
            decoded = new Fields(parser.hostname(), parser.procId(), parser.msgId(), parser.severity().keyword(),
                    parser.facility().keyword(), parser.structuredData(), trimNewline(parser.message()));
            fields = decoded;
        }
        return decoded;
    }

    private static String trimNewline(String message) {
        return message.endsWith("\n") ? message.substring(0, message.length() - (message.endsWith("\r\n") ? 2 : 1))
                : message;
    }
}
