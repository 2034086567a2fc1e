package io.addonlogs.common.syslog;

/** The parts of an RFC 5424 message, named as in the RFC's ABNF, for rejection reasons. */
public enum SyslogField {
    PRI, VERSION, TIMESTAMP, HOSTNAME, APP_NAME, PROCID, MSGID, STRUCTURED_DATA;

    /** The RFC's spelling, e.g. {@code APP-NAME}. */
    public String rfcName() {
        return name().replace('_', '-');
    }
}
