package io.addonlogs.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.addonlogs.common.config.Settings;

class KafkaClientSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"ingest\" password=\"s3cr3t\";";

    @Test
    void bootstrapServersDefaultsToLocalhost() {
        assertEquals(Map.of("bootstrap.servers", "localhost:9092"), KafkaClientSettings.from(Map.of()));
        assertEquals(Map.of("bootstrap.servers", "k1:9093,k2:9093"),
                KafkaClientSettings.from(Map.of("KAFKA_BOOTSTRAP_SERVERS", " k1:9093,k2:9093 ")));
    }

    @Test
    void everyKafkaVariableBecomesTheClientSettingOfTheSameName() {
        Map<String, String> client = KafkaClientSettings.from(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "k:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", JAAS,
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "",
                "LOGS_TOPIC", "logs",
                "KAFKAESQUE", "not ours"));
        assertEquals(Map.of(
                "bootstrap.servers", "k:9093",
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", JAAS,
                "ssl.truststore.location", "/etc/kafka/ca.p12",
                "ssl.truststore.type", "PKCS12"), client, "blank values count as unset, as for every setting");
        assertEquals(List.copyOf(client.keySet()), client.keySet().stream().sorted().toList(), "in name order");
    }

    @Test
    void kubernetesServiceLinksAndLauncherOptionsAreNotClientSettings() {
        Map<String, String> client = KafkaClientSettings.from(Map.of(
                "KAFKA_SERVICE_HOST", "10.0.0.7", "KAFKA_SERVICE_PORT", "9092", "KAFKA_PORT", "tcp://10.0.0.7:9092",
                "KAFKA_PORT_9092_TCP_ADDR", "10.0.0.7", "KAFKA_HEAP_OPTS", "-Xmx1g", "KAFKA_OPTS", "-Dx=y",
                "KAFKA_CLIENT_RACK", "zone-a"));
        assertEquals(Map.of("bootstrap.servers", "localhost:9092", "client.rack", "zone-a"), client);
    }

    @Test
    void aSettingTheServicesSetThemselvesIsRefusedByItsVariable() {
        for (String variable : List.of("KAFKA_ACKS", "KAFKA_CLIENT_ID", "KAFKA_ENABLE_AUTO_COMMIT",
                "KAFKA_KEY_SERIALIZER", "KAFKA_VALUE_DESERIALIZER", "KAFKA_GROUP_ID", "KAFKA_LINGER_MS")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KafkaClientSettings.from(Map.of(variable, "x")), variable);
            String key = KafkaClientSettings.clientKey(variable);
            assertEquals(variable + " cannot be set: the services set " + key
                    + " themselves (README, \"Kafka client\")", e.getMessage());
        }
    }

    @Test
    void readsThroughSettingsSoDeploymentChecksSeeThePrefix() {
        Settings settings = new Settings(Map.of("KAFKA_SECURITY_PROTOCOL", "SSL"));
        KafkaClientSettings.from(settings);
        assertEquals(Set.of("KAFKA_BOOTSTRAP_SERVERS"), settings.namesRead());
        assertEquals(Set.of("KAFKA_"), settings.prefixesRead());
    }

    @Test
    void variableNamesMapToLowerCaseDottedKeys() {
        assertEquals("ssl.truststore.location", KafkaClientSettings.clientKey("KAFKA_SSL_TRUSTSTORE_LOCATION"));
        assertEquals("sasl.jaas.config", KafkaClientSettings.clientKey("KAFKA_SASL_JAAS_CONFIG"));
        assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.clientKey("KAFKA_"));
        assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.clientKey("LOGS_TOPIC"));
    }

    @Test
    void secretsAreTheValuesNamedAsSecretsNotTheirPathsOrTypes() {
        for (String secret : List.of("sasl.jaas.config", "ssl.key.password", "ssl.keystore.password",
                "ssl.truststore.password", "ssl.keystore.key", "sasl.oauthbearer.client.credentials.client.secret",
                "sasl.oauthbearer.assertion.private.key.passphrase", "some.plugin.token")) {
            assertTrue(KafkaClientSettings.isSecret(secret), secret);
        }
        for (String plain : List.of("bootstrap.servers", "security.protocol", "sasl.mechanism",
                "ssl.keystore.type", "ssl.keystore.location", "ssl.truststore.location", "ssl.truststore.type",
                "ssl.keymanager.algorithm", "ssl.keystore.certificate.chain", "ssl.truststore.certificates",
                "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.assertion.private.key.file",
                "partitioner.ignore.keys", "key.serializer", "sasl.oauthbearer.client.credentials.client.id")) {
            assertFalse(KafkaClientSettings.isSecret(plain), plain);
        }
    }

    @Test
    void printableFormMasksSecretsAndShowsTheRest() {
        String printed = KafkaClientSettings.printable(KafkaClientSettings.from(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "k:9093", "KAFKA_SECURITY_PROTOCOL", "SSL",
                "KAFKA_SSL_KEYSTORE_LOCATION", "/etc/user.p12", "KAFKA_SSL_KEYSTORE_PASSWORD", "kspw",
                "KAFKA_SSL_KEYSTORE_TYPE", "PKCS12", "KAFKA_SASL_JAAS_CONFIG", JAAS)));
        assertEquals("{bootstrap.servers=k:9093, sasl.jaas.config=<set>, security.protocol=SSL, "
                + "ssl.keystore.location=/etc/user.p12, ssl.keystore.password=<set>, ssl.keystore.type=PKCS12}",
                printed);
        assertFalse(printed.contains("s3cr3t") || printed.contains("kspw"), printed);
    }
}
