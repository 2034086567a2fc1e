package io.addonlogs.common.syslog;

/**
 * Why a frame is not a valid RFC 5424 message: the field at fault, the byte offset within the frame where the
 * problem was found, and a reason a provider can act on.
 */
public record Rejection(SyslogField field, int offset, String reason) {

    /** E.g. {@code "APP-NAME: longer than 48 characters"}. */
    public String message() {
        return field.rfcName() + ": " + reason;
    }
}
