package io.addonlogs.common.syslog;

/** RFC 5424 facilities (PRI / 8) with their lowercase keywords as syslog tools print them. */
public enum Facility {
    KERN("kern"), USER("user"), MAIL("mail"), DAEMON("daemon"), AUTH("auth"), SYSLOG("syslog"), LPR("lpr"),
    NEWS("news"), UUCP("uucp"), CRON("cron"), AUTHPRIV("authpriv"), FTP("ftp"), NTP("ntp"), AUDIT("audit"),
    ALERT("alert"), CLOCK("clock"), LOCAL0("local0"), LOCAL1("local1"), LOCAL2("local2"), LOCAL3("local3"),
    LOCAL4("local4"), LOCAL5("local5"), LOCAL6("local6"), LOCAL7("local7");

    private static final Facility[] BY_CODE = values();

    private final String keyword;

    Facility(String keyword) {
        this.keyword = keyword;
    }

    public int code() {
        return ordinal();
    }

    public String keyword() {
        return keyword;
    }

    public static Facility of(int code) {
        return BY_CODE[code];
    }
}
