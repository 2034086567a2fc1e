package io.addonlogs.common.model;

import java.time.Instant;

import io.addonlogs.common.syslog.Rfc5424Header;

/**
 * One log line as a dashboard sees it: the {@code data} of an SSE {@code RESOURCE_LOG} event. Field names are the
 * platform clients' ({@code @clevercloud/client}'s {@code ResourceLog}). It never carries the log token.
 *
 * @param id         the cursor of this line (same as the SSE {@code id:})
 * @param date       TIMESTAMP of the line, or its receive time when TIMESTAMP is nil
 * @param resourceId the add-on id (from the token registry, not from the line)
 * @param hostname   HOSTNAME (the provider's name for the add-on), null if nil
 * @param instanceId PROCID: the provider's instance or process that emitted the line, null if nil
 * @param pid        PROCID as well, for clients that read it under that name
 * @param service    MSGID, null if nil (the provider doc asks for nil)
 * @param severity   lowercase keyword, e.g. {@code info}
 * @param facility   lowercase keyword, e.g. {@code local7}
 * @param zone       {@code zone} parameter of the line's structured data, if any
 * @param region     {@code region} parameter of the line's structured data, if any
 * @param message    MSG as UTF-8 without BOM and without one trailing newline
 */
public record LogEvent(String id, Instant date, String resourceId, String hostname, String instanceId, String pid,
                       String service, String severity, String facility, String zone, String region, String message) {

    /** Maps a parsed line; {@code receivedAtMillis} stands in for a nil TIMESTAMP. */
    public static LogEvent from(String cursor, String addonId, long receivedAtMillis, Rfc5424Header line) {
        long millis = line.timestampNil() ? receivedAtMillis : line.timestampMillis();
        String procId = line.procId();
        return new LogEvent(cursor, Instant.ofEpochMilli(millis), addonId, line.hostname(), procId, procId,
                line.msgId(), line.severity().keyword(), line.facility().keyword(),
                StructuredDataParams.find(line, "zone"), StructuredDataParams.find(line, "region"),
                trimOneNewline(line.message()));
    }

    private static String trimOneNewline(String message) {
        if (message.endsWith("\r\n")) {
            return message.substring(0, message.length() - 2);
        }
        if (message.endsWith("\n")) {
            return message.substring(0, message.length() - 1);
        }
        return message;
    }
}
