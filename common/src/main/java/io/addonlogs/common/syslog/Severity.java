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

    /**
     * The severity a person or a client names: its keyword, its code (0-7), or a common alias ({@code error},
     * {@code warn}, {@code critical}, {@code emergency}), any case; null if it names none.
     */
    public static Severity named(String name) {
        String key = name == null ? "" : name.trim().toLowerCase(java.util.Locale.ROOT);
        for (Severity severity : BY_CODE) {
            if (severity.keyword.equals(key) || String.valueOf(severity.code()).equals(key)) {
                return severity;
            }
        }
        return switch (key) {
            case "error" -> ERR;
            case "warn" -> WARNING;
            case "critical" -> CRIT;
            case "emergency", "panic" -> EMERG;
            default -> null;
        };
    }
}
