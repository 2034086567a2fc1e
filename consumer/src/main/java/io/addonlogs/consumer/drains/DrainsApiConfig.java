package io.addonlogs.consumer.drains;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.drains.DrainSecrets;

/**
 * The drains API's settings (README, "Settings (consumer)"): without {@code DRAINS_SECRET_KEY} the API answers 503
 * {@code drains_unavailable} (it could not seal secrets, nor open them).
 *
 * @param secrets     the key drain secrets are sealed with (the drain workers' too), or null
 * @param maxPerAddon drains one add-on may have (409 {@code too_many_drains} beyond)
 * @param tlsTrustPem CAs trusted by {@code check} for TLS recipients instead of the JVM's, or null
 */
public record DrainsApiConfig(DrainSecrets secrets, String drainsTopic, String statusTopic, int maxPerAddon,
                              String tlsTrustPem) {

    public static DrainsApiConfig from(Settings s) {
        String key = s.optional("DRAINS_SECRET_KEY");
        return new DrainsApiConfig(key == null ? null : DrainSecrets.fromBase64(key),
                s.string("DRAINS_TOPIC", "log-drains"),
                s.string("DRAIN_STATUS_TOPIC", "log-drain-status"),
                s.integer("DRAINS_MAX_PER_ADDON", 20, 1, 1000),
                s.optional("DRAIN_TLS_TRUST_PEM"));
    }

    public boolean enabled() {
        return secrets != null;
    }
}
