package io.addonlogs.common.syslog;

/** RFC 5424 severities (PRI mod 8) with their lowercase keywords as syslog tools print them. */
public enum Severity {
    EMERG("emerg"), ALERT("alert"), CRIT("crit"), ERR("err"),
    WARNING("warning"), NOTICE("notice"), INFO("info"), DEBUG("debug");

    private static final Severity[] BY_CODE = values();

    private final String keyword;

    Severity(String keyword) {
        this.keyword = keyword;
    }

    public int code() {
        return ordinal();
    }

    public String keyword() {
        return keyword;
    }

    public static Severity of(int code) {
        return BY_CODE[code];
    }
}
