package io.addonlogs.service.kafka;

import java.util.HashMap;
import java.util.Map;

import io.addonlogs.common.kafka.KafkaClientSettings;

/**
 * One Kafka client's settings: the service's shared client settings ({@link KafkaClientSettings}: bootstrap servers,
 * security) plus the client's own. Its own must be listed in {@link KafkaClientSettings#SERVICE_OWNED}, which the
 * {@code KAFKA_*} pass-through refuses: so no operator's setting is ever silently overridden, and a client that
 * starts setting something new fails at once, in every test that starts it, until the list says so.
 */
public final class ClientConfig {

    private ClientConfig() {
    }

    public static Map<String, Object> of(Map<String, String> shared, Map<String, ?> own) {
        Map<String, Object> config = new HashMap<>(shared);
        own.forEach((key, value) -> {
            if (!KafkaClientSettings.SERVICE_OWNED.contains(key)) {
                throw new IllegalStateException("a client sets " + key + ", which is not in KafkaClientSettings"
                        + ".SERVICE_OWNED: KAFKA_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_')
                        + " would be silently overridden");
            }
            config.put(key, value);
        });
        return config;
    }
}
