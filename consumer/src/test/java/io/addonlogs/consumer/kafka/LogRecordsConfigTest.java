package io.addonlogs.consumer.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.addonlogs.consumer.TailConfig;

/** The consumer's Kafka client settings: what KAFKA_* passes through, what the readers keep, what is logged. */
class LogRecordsConfigTest {

    private static final Map<String, String> SECURED = Map.of(
            "VIEWER_JWT_SECRET", "x".repeat(32),
            "KAFKA_BOOTSTRAP_SERVERS", "k:9093",
            "KAFKA_SECURITY_PROTOCOL", "SSL",
            "KAFKA_SSL_KEYSTORE_LOCATION", "/etc/kafka/user.p12",
            "KAFKA_SSL_KEYSTORE_PASSWORD", "pw-of-the-keystore");

    @Test
    void theReadersGetThePassThroughAndKeepTheirOwnSettings() {
        Map<String, Object> consumer = LogRecords.consumerConfig(TailConfig.from(SECURED).kafka(), "log-consumer-live");
        assertEquals("k:9093", consumer.get("bootstrap.servers"));
        assertEquals("SSL", consumer.get("security.protocol"));
        assertEquals("/etc/kafka/user.p12", consumer.get("ssl.keystore.location"));
        assertEquals("pw-of-the-keystore", consumer.get("ssl.keystore.password"));
        assertEquals("log-consumer-live", consumer.get("client.id"));
        assertEquals(false, consumer.get("enable.auto.commit"));
    }

    @Test
    void theStartUpLineShowsTheClientSettingsWithSecretsMasked() {
        String line = TailConfig.from(SECURED).toString();
        assertTrue(line.startsWith("TailConfig[kafka={bootstrap.servers=k:9093, security.protocol=SSL, "
                + "ssl.keystore.location=/etc/kafka/user.p12, ssl.keystore.password=<set>}, "), line);
        assertFalse(line.contains("pw-"), line);
    }
}
