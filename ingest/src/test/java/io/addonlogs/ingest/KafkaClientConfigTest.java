package io.addonlogs.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** The ingest's Kafka client settings: what KAFKA_* passes through, what the service keeps, what it logs. */
class KafkaClientConfigTest {

    private static final Map<String, String> SECURED = Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", "k:9093",
            "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
            "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"ingest\" password=\"pw-in-the-jaas\";",
            "KAFKA_SSL_TRUSTSTORE_PASSWORD", "pw-of-the-truststore");

    @Test
    void theProducerGetsThePassThroughAndKeepsItsOwnSettings() {
        Properties producer = IngestService.producerProperties(IngestConfig.from(SECURED));
        assertEquals("k:9093", producer.get("bootstrap.servers"));
        assertEquals("SASL_SSL", producer.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", producer.get("sasl.mechanism"));
        assertEquals(SECURED.get("KAFKA_SASL_JAAS_CONFIG"), producer.get("sasl.jaas.config"));
        assertEquals("all", producer.get("acks"));
        assertEquals("log-ingest", producer.get("client.id"));
    }

    @Test
    void aServiceOwnedSettingStopsTheStartWithItsName() {
        assertEquals("KAFKA_ACKS cannot be set: the services set acks themselves (README, \"Kafka client\")",
                assertThrows(IllegalArgumentException.class,
                        () -> IngestConfig.from(Map.of("KAFKA_ACKS", "1"))).getMessage());
    }

    @Test
    void theStartUpLineShowsTheClientSettingsWithSecretsMasked() {
        String line = IngestConfig.from(SECURED).toString();
        assertTrue(line.startsWith("IngestConfig[kafka={bootstrap.servers=k:9093, sasl.jaas.config=<set>, "
                + "sasl.mechanism=SCRAM-SHA-512, security.protocol=SASL_SSL, ssl.truststore.password=<set>}, "), line);
        assertFalse(line.contains("pw-"), line);
    }
}
