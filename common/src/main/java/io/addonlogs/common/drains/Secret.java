package io.addonlogs.common.drains;

import java.util.Objects;

/**
 * A drain secret in clear (a password, an API key, a source token, an URL or structured data that carries one),
 * held in memory only: {@link #toString()} never shows it, and its JSON is always sealed ({@link DrainSecrets}).
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value);
    }

    /** Null for null or empty input: an absent secret. */
    public static Secret of(String value) {
        return value == null || value.isEmpty() ? null : new Secret(value);
    }

    /** The clear value, for the one place that sends it to the recipient. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "***";
    }
}
