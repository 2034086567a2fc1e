package io.addonlogs.common.config;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Typed reads of settings from an injected map (the environment in production, a literal map in tests), with
 * defaults and errors that name the variable. Blank values count as unset. Remembers which names were asked
 * for, so that deployment files can be checked against what the code really reads.
 */
public final class Settings {

    private final Map<String, String> values;
    private final Set<String> namesRead = new LinkedHashSet<>();
    private final Set<String> prefixesRead = new LinkedHashSet<>();

    public Settings(Map<String, String> values) {
        this.values = Map.copyOf(Objects.requireNonNull(values));
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    public String string(String name, String defaultValue) {
        namesRead.add(name);
        String value = values.get(name);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /** The value, or null when unset. */
    public String optional(String name) {
        return string(name, null);
    }

    public int integer(String name, int defaultValue, int min, int max) {
        long value = longValue(name, defaultValue, min, max);
        return (int) value;
    }

    public long longValue(String name, long defaultValue, long min, long max) {
        String raw = optional(name);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + raw + "'", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public int port(String name, int defaultValue) {
        return integer(name, defaultValue, 0, 65535);
    }

    /**
     * Every set variable whose name starts with {@code prefix}, by name, values trimmed (blank ones count as unset):
     * for settings passed through by pattern, such as the Kafka client's {@code KAFKA_*}.
     */
    public SortedMap<String, String> withPrefix(String prefix) {
        prefixesRead.add(prefix);
        SortedMap<String, String> found = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(prefix) && !value.isBlank()) {
                found.put(name, value.trim());
            }
        });
        return found;
    }

    /** Every prefix asked for with {@link #withPrefix}, in the order first asked. */
    public Set<String> prefixesRead() {
        return Collections.unmodifiableSet(prefixesRead);
    }

    /** Every name read so far, set or not, in the order first read. */
    public Set<String> namesRead() {
        return Collections.unmodifiableSet(namesRead);
    }

    /** For {@code toString()}s: {@code "<set>"} or {@code "<unset>"}, never the secret. */
    public static String mask(String secret) {
        return secret == null ? "<unset>" : "<set>";
    }
}
