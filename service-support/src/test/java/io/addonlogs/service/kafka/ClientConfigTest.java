package io.addonlogs.service.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.KafkaClientSettings;

class ClientConfigTest {

    private final Map<String, String> shared = KafkaClientSettings.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", "k:9093",
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL"));

    @Test
    void aClientGetsTheSharedSettingsAndItsOwn() {
        assertEquals(Map.of("bootstrap.servers", "k:9093", "security.protocol", "SASL_SSL", "client.id", "c",
                "fetch.max.wait.ms", 50), ClientConfig.of(shared, Map.of("client.id", "c", "fetch.max.wait.ms", 50)));
    }

    @Test
    void aClientSettingNotListedAsServiceOwnedIsABugCaughtAtOnce() {
        assertEquals("a client sets session.timeout.ms, which is not in KafkaClientSettings.SERVICE_OWNED: "
                + "KAFKA_SESSION_TIMEOUT_MS would be silently overridden", assertThrows(IllegalStateException.class,
                () -> ClientConfig.of(shared, Map.of("session.timeout.ms", 10_000))).getMessage());
    }
}
