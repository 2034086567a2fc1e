package io.addonlogs.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SASL_SSL listener: SCRAM-SHA-512 users over TLS with the test CA, doing what their ACLs allow; everyone else is
 * turned away.
 */
class SaslSslBrokerTest {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.startTemporaryWithSaslSsl();
        broker.createTopic("secured", 1);
        broker.saslSsl().createScramUser("alice", "alice-password");
        broker.saslSsl().allow("alice", "secured", List.of("Write", "Describe"));
        broker.saslSsl().createScramUser("bob", "bob-password");
    }

    @AfterAll
    static void stop() {
        Path tls = broker.saslSsl().certificates().truststore().getParent();
        broker.close();
        assertFalse(Files.exists(tls), "the certificates go with the temporary broker");
    }

    @Test
    void aScramUserTrustingTheTestCaProducesOverSaslSsl() throws Exception {
        assertFalse(broker.saslSsl().bootstrapServers().equals(broker.bootstrapServers()));
        try (KafkaProducer<String, String> producer = producer(client("alice", "alice-password", true))) {
            assertEquals(0, producer.send(new ProducerRecord<>("secured", "k", "v")).get(30, TimeUnit.SECONDS)
                    .partition());
        }
        assertEquals(List.of("k=v"), KafkaRoundTrip.readAll(broker.bootstrapServers(), "secured", 0, 1),
                "stored, as the plaintext harness listener sees it");
    }

    @Test
    void aWrongPasswordIsRefusedAsAnAuthenticationFailure() {
        assertInstanceOf(SaslAuthenticationException.class, refusal(client("alice", "not-her-password", true)));
    }

    @Test
    void aClientThatDoesNotTrustTheTestCaFailsTheHandshake() {
        assertInstanceOf(SslAuthenticationException.class, refusal(client("alice", "alice-password", false)));
    }

    @Test
    void anAuthenticatedUserWithoutAclsIsNotAuthorized() {
        assertInstanceOf(TopicAuthorizationException.class, refusal(client("bob", "bob-password", true)));
    }

    /** Why a send with these settings fails. */
    private static Throwable refusal(Map<String, Object> client) {
        try (KafkaProducer<String, String> producer = producer(client)) {
            return assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>("secured", "k", "v")).get(30, TimeUnit.SECONDS))
                    .getCause();
        }
    }

    private static Map<String, Object> client(String user, String password, boolean trustTheCa) {
        Map<String, Object> client = new HashMap<>(Map.of(
                "bootstrap.servers", broker.saslSsl().bootstrapServers(),
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";",
                "max.block.ms", (int) Duration.ofSeconds(20).toMillis(),
                "delivery.timeout.ms", 20_000, "request.timeout.ms", 20_000, "linger.ms", 0));
        if (trustTheCa) {
            client.put("ssl.truststore.location", broker.saslSsl().certificates().truststore().toString());
            client.put("ssl.truststore.password", broker.saslSsl().certificates().password());
            client.put("ssl.truststore.type", "PKCS12");
        }
        return client;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> client) {
        return new KafkaProducer<>(client, new StringSerializer(), new StringSerializer());
    }
}
