package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The client listener of an {@link EmbeddedKafkaBroker} as a secured production Kafka has it (Strimzi's TLS listener
 * with SCRAM-SHA-512 authentication and simple authorization): SASL_SSL, SCRAM-SHA-512 users, a certificate from a
 * throw-away CA ({@link TestCertificates}), and ACLs enforced (a user may do only what it was {@link #allow}ed). The
 * broker's plaintext listener stays, for the harness: its anonymous principal is a super user, so topics, users and
 * ACLs are managed through it.
 */
public final class SaslSslListener {

    private static final String MECHANISM = "SCRAM-SHA-512";

    private final int port;
    private final Path dir;
    private final TestCertificates certificates;
    private final String harnessBootstrap;

    private SaslSslListener(int port, Path dir, TestCertificates certificates, String harnessBootstrap) {
        this.port = port;
        this.dir = dir;
        this.certificates = certificates;
        this.harnessBootstrap = harnessBootstrap;
    }

    /** A listener on a free port with fresh certificates; {@code harnessBootstrap}: the plaintext listener. */
    static SaslSslListener create(String harnessBootstrap) {
        try {
            Path dir = Files.createTempDirectory("embedded-kafka-tls-");
            return new SaslSslListener(FreePorts.next(), dir, TestCertificates.create(dir), harnessBootstrap);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** The test CA's truststore for clients, and the broker's keystore. */
    public TestCertificates certificates() {
        return certificates;
    }

    /** Creates (or changes the password of) a SCRAM-SHA-512 user; returns once the broker has it. */
    public void createScramUser(String user, String password) {
        withAdmin("create SCRAM user " + user, admin -> {
            await(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password))).all());
            // the broker answers from its copy of the metadata: once it describes the user, it authenticates it
            Await.until(() -> knows(admin, user), "SCRAM user " + user + " known to the broker");
        });
    }

    /**
     * Allows {@code user} the {@code operations} ({@code Read}, {@code Write}, {@code Describe}, ... as Strimzi's
     * {@code KafkaUser} ACLs name them) on the topic named {@code topic}; returns once the broker enforces them.
     */
    public void allow(String user, String topic, Collection<String> operations) {
        allow(user, "topic", topic, operations);
    }

    /** Allows {@code operations} on the resource of {@code type} ({@code topic}, {@code group}...) named {@code name}. */
    public void allow(String user, String type, String name, Collection<String> operations) {
        String topic = type + ":" + name;
        ResourcePattern resource = new ResourcePattern(ResourceType.fromString(type), name, PatternType.LITERAL);
        Set<AclBinding> bindings = operations.stream()
                .map(op -> new AclBinding(resource, new AccessControlEntry("User:" + user, "*",
                        AclOperation.fromString(op), AclPermissionType.ALLOW)))
                .collect(Collectors.toSet());
        if (bindings.stream().anyMatch(b -> b.entry().operation() == AclOperation.UNKNOWN)) {
            throw new IllegalArgumentException("unknown ACL operation among " + operations);
        }
        withAdmin("allow " + user + " " + operations + " on " + topic, admin -> {
            await(admin.createAcls(bindings).all());
            Await.until(() -> await(admin.describeAcls(AclBindingFilter.ANY).values()).containsAll(bindings),
                    "ACLs of " + user + " on " + topic + " enforced");
        });
    }

    /** The broker settings of this listener (named {@code SASL_SSL}) and of authorization. */
    Map<String, String> brokerProperties() {
        String listener = "listener.name.sasl_ssl.";
        return Map.of(
                "sasl.enabled.mechanisms", MECHANISM,
                listener + "scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;",
                listener + "ssl.keystore.location", certificates.keystore().toAbsolutePath().toString(),
                listener + "ssl.keystore.password", certificates.password(),
                listener + "ssl.key.password", certificates.password(),
                listener + "ssl.keystore.type", "PKCS12",
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                // the plaintext listeners (harness, controller, inter-broker) are the anonymous principal
                "super.users", "User:ANONYMOUS");
    }

    int port() {
        return port;
    }

    void deleteCertificates() {
        EmbeddedKafkaBroker.deleteRecursively(dir);
    }

    private interface AdminWork {
        void run(Admin admin) throws Exception;
    }

    private void withAdmin(String what, AdminWork work) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harnessBootstrap))) {
            work.run(admin);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot " + what, e);
        }
    }

    private static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean knows(Admin admin, String user) {
        try {
            return !admin.describeUserScramCredentials(List.of(user)).all().get(30, TimeUnit.SECONDS).isEmpty();
        } catch (ExecutionException e) {
            return false; // ResourceNotFoundException until it has the user
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("cannot describe SCRAM user " + user, e);
        }
    }
}
