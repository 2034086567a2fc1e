package io.addonlogs.common.drains;

/**
 * Where and how a drain delivers (the platform's {@code recipient.type}). The URL schemes each accepts are checked
 * when a drain is created; {@link #syslog()} types share the RFC 5424 framing, the others speak HTTP.
 */
public enum DrainType {
    SYSLOG_TCP("tcp", "tcp+tls"),
    SYSLOG_UDP("udp"),
    OVH_TCP("tcp", "tcp+tls"),
    RAW_HTTP("http", "https"),
    ELASTICSEARCH("http", "https"),
    DATADOG("http", "https"),
    NEWRELIC("http", "https"),
    BETTERSTACK("http", "https");

    private final String[] schemes;

    DrainType(String... schemes) {
        this.schemes = schemes;
    }

    public boolean syslog() {
        return this == SYSLOG_TCP || this == SYSLOG_UDP || this == OVH_TCP;
    }

    /** True if {@code scheme} (lowercase) is one this type delivers to. */
    public boolean accepts(String scheme) {
        for (String s : schemes) {
            if (s.equals(scheme)) {
                return true;
            }
        }
        return false;
    }

    public String schemes() {
        return String.join(", ", schemes);
    }
}
