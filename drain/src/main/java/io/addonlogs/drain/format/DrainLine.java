package io.addonlogs.drain.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

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
 * The line is split at STRUCTURED-DATA ({@link #head}, {@link #tail}) so that a syslog drain can insert its own
 * SD-ELEMENT there (OVH's token) without copying the message twice. The parsed fields feed the JSON formats.
 */
public record DrainLine(long offset, byte[] head, byte[] tail, long timestampMillis, String hostname, String appName,
                        String procId, String msgId, String severity, String facility, String structuredData,
                        String message) {

    /** The line as forwarded: {@code head + tail} (no SD-ELEMENT added). */
    public byte[] syslog() {
        byte[] out = new byte[head.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /** The line with {@code sdElement} ({@code [id params]}) as its first SD-ELEMENT (replacing a nil SD). */
    public byte[] syslogWith(byte[] sdElement) {
        boolean nilSd = tail.length >= 1 && tail[0] == '-' && (tail.length == 1 || tail[1] == ' ');
        int skip = nilSd ? 1 : 0;
        byte[] out = new byte[head.length + sdElement.length + tail.length - skip];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(sdElement, 0, out, head.length, sdElement.length);
        System.arraycopy(tail, skip, out, head.length + sdElement.length, tail.length - skip);
        return out;
    }

    /** The line's bytes with another APP-NAME (RAW_HTTP into a logplex receiver that wants its own token there). */
    public byte[] syslogAs(String appName) {
        int third = -1;
        int fourth = -1;
        for (int i = 0, n = 0; i < head.length; i++) {
            if (head[i] == ' ' && ++n == 3) {
                third = i;
            } else if (head[i] == ' ' && n == 4) {
                fourth = i;
                break;
            }
        }
        byte[] app = appName.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[third + 1 + app.length + head.length - fourth + tail.length];
        System.arraycopy(head, 0, out, 0, third + 1);
        System.arraycopy(app, 0, out, third + 1, app.length);
        System.arraycopy(head, fourth, out, third + 1 + app.length, head.length - fourth);
        System.arraycopy(tail, 0, out, third + 1 + app.length + head.length - fourth, tail.length);
        return out;
    }

    public int bytes() {
        return head.length + tail.length;
    }

    /** The ISO-8601 UTC time with milliseconds, as the SSE tail shows it. */
    public String date() {
        return LogEventJson.formatDate(Instant.ofEpochMilli(timestampMillis));
    }

    /**
     * Rewrites one stored value; null if it is not RFC 5424 (ingest stores only lines it parsed, so only a foreign
     * record in the topic is skipped).
     */
    public static DrainLine of(long offset, byte[] value, long receivedMillis, String realId, Rfc5424Header parser) {
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
        String app = realId.length() > Rfc5424Header.MAX_APP_NAME ? realId.substring(0, Rfc5424Header.MAX_APP_NAME)
                : realId;
        long millis = parser.timestampNil() ? receivedMillis : parser.timestampMillis();
        ByteArrayOutputStream head = new ByteArrayOutputStream(spaces[5] + 64);
        head.write(value, 0, spaces[0] + 1); // <PRI>VERSION SP
        if (parser.timestampNil()) {
            head.writeBytes(LogEventJson.formatDate(Instant.ofEpochMilli(millis)).getBytes(StandardCharsets.US_ASCII));
        } else {
            head.write(value, spaces[0] + 1, spaces[1] - spaces[0] - 1);
        }
        head.write(value, spaces[1], spaces[2] - spaces[1] + 1); // SP HOSTNAME SP
        head.writeBytes(app.getBytes(StandardCharsets.US_ASCII));
        head.write(value, spaces[3], spaces[5] - spaces[3] + 1); // SP PROCID SP MSGID SP
        byte[] tail = new byte[value.length - spaces[5] - 1];
        System.arraycopy(value, spaces[5] + 1, tail, 0, tail.length);
        return new DrainLine(offset, head.toByteArray(), tail, millis, parser.hostname(), app, parser.procId(),
                parser.msgId(), parser.severity().keyword(), parser.facility().keyword(), parser.structuredData(),
                trimNewline(parser.message()));
    }

    private static String trimNewline(String message) {
        return message.endsWith("\n") ? message.substring(0, message.length() - (message.endsWith("\r\n") ? 2 : 1))
                : message;
    }
}
