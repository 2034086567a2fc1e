package io.addonlogs.common.kafka;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.addonlogs.common.config.Settings;

/**
 * The Kafka client settings every client of a service shares (producer, consumers, admin): how to reach and
 * authenticate to the brokers. {@code bootstrap.servers} comes from {@code KAFKA_BOOTSTRAP_SERVERS} (default
 * {@code localhost:9092}); every other variable {@code KAFKA_<NAME>} is passed through as client setting
 * {@code <name>}, lower-cased with {@code _} turned into {@code .}: {@code KAFKA_SECURITY_PROTOCOL} becomes
 * {@code security.protocol}, {@code KAFKA_SASL_JAAS_CONFIG} {@code sasl.jaas.config}. Kafka's config names have no
 * {@code _}, so the mapping loses nothing.
 *
 * <p>Not passed through: the settings each service sets itself for its own semantics ({@link #SERVICE_OWNED}:
 * serializers, {@code client.id}, {@code acks}, {@code enable.auto.commit}, timeouts and batching the services are
 * tuned with); setting one is a start-up error naming the variable, never silently overridden one way or the other.
 * Also skipped, because they are not client settings: the variables Kubernetes injects for a Service named
 * {@code kafka} ({@code KAFKA_SERVICE_*}, {@code KAFKA_PORT*}) and the options of Kafka's own launcher scripts
 * ({@code KAFKA_*_OPTS}).
 *
 * <p>Plain strings only: {@code common} does not depend on the Kafka client (Kafka parses string values itself).
 */
public final class KafkaClientSettings {

    public static final String PREFIX = "KAFKA_";
    public static final String BOOTSTRAP_SERVERS_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";

    /**
     * Client settings a service sets itself (ingest's producer, the token registry follower, the consumer's live and
     * history readers and its history indexer, the one member of a consumer group), or that would change what the
     * services rely on (no transactions).
     * A test in each service checks that everything it sets is listed here.
     */
    public static final Set<String> SERVICE_OWNED = Set.of(
            "client.id", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer",
            "group.id", "group.instance.id", "transactional.id",
            // ingest producer
            "acks", "enable.idempotence", "linger.ms", "batch.size", "compression.type", "buffer.memory",
            "max.block.ms", "delivery.timeout.ms", "request.timeout.ms", "max.request.size",
            // token registry follower, live and history readers
            "enable.auto.commit", "auto.offset.reset", "fetch.max.wait.ms", "metadata.max.age.ms",
            "max.partition.fetch.bytes", "fetch.max.bytes",
            // the history index: its topic is never auto-created, its indexer leaves CRCs to the readers
            "allow.auto.create.topics", "check.crcs",
            // the drain workers' group: cooperative rebalancing
            "partition.assignment.strategy");

    /** Words of a setting's name that mark its value secret ... */
    private static final Set<String> SECRET_WORDS = Set.of("password", "passphrase", "secret", "jaas", "key", "token");
    /** ... unless the name ends with one of these: a path, a URL or a class, not the secret itself. */
    private static final Set<String> NOT_SECRET_ENDINGS = Set.of("file", "location", "url", "serializer",
            "deserializer");

    private KafkaClientSettings() {
    }

    /** The client settings from the environment variables in {@code env} (see the class comment). */
    public static Map<String, String> from(Map<String, String> env) {
        return from(new Settings(env));
    }

    /**
     * As {@link #from(Map)}, reading through {@code settings} (so it remembers {@code KAFKA_BOOTSTRAP_SERVERS} and
     * the {@code KAFKA_} prefix as read). Throws {@link IllegalArgumentException} naming the variable for a
     * {@link #SERVICE_OWNED} setting.
     */
    public static Map<String, String> from(Settings settings) {
        SortedMap<String, String> client = new TreeMap<>();
        client.put(BOOTSTRAP_SERVERS, settings.string(BOOTSTRAP_SERVERS_VARIABLE, DEFAULT_BOOTSTRAP_SERVERS));
        settings.withPrefix(PREFIX).forEach((variable, value) -> {
            if (variable.equals(BOOTSTRAP_SERVERS_VARIABLE) || !isClientSetting(variable)) {
                return;
            }
            String key = clientKey(variable);
            if (SERVICE_OWNED.contains(key)) {
                throw new IllegalArgumentException(variable + " cannot be set: the services set " + key
                        + " themselves (README, \"Kafka client\")");
            }
            client.put(key, value);
        });
        return Collections.unmodifiableSortedMap(client);
    }

    /** {@code KAFKA_SASL_JAAS_CONFIG} → {@code sasl.jaas.config}. */
    public static String clientKey(String variable) {
        if (!variable.startsWith(PREFIX) || variable.length() == PREFIX.length()) {
            throw new IllegalArgumentException(variable + " is not a " + PREFIX + "<NAME> variable");
        }
        return variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /**
     * False for the {@code KAFKA_} variables that are not client settings: Kubernetes' service links for a Service
     * named {@code kafka} and the options of Kafka's launcher scripts (as {@code KAFKA_HEAP_OPTS}).
     */
    static boolean isClientSetting(String variable) {
        return !(variable.startsWith("KAFKA_SERVICE_") || variable.equals("KAFKA_PORT")
                || variable.startsWith("KAFKA_PORT_") || variable.endsWith("_OPTS"));
    }

    /**
     * Whether a client setting's value is a secret: its name has a word {@code password}, {@code passphrase},
     * {@code secret}, {@code jaas}, {@code key} or {@code token} ({@code ssl.key.password},
     * {@code ssl.keystore.key}, {@code sasl.jaas.config}) and does not end in {@code file}, {@code location},
     * {@code url} or a (de)serializer (a path or a URL, as {@code sasl.oauthbearer.token.endpoint.url}). Whole
     * words only: {@code ssl.keystore.type} and {@code ssl.keymanager.algorithm} are not secrets.
     */
    public static boolean isSecret(String key) {
        List<String> words = List.of(key.toLowerCase(Locale.ROOT).split("\\."));
        return words.stream().anyMatch(SECRET_WORDS::contains)
                && !NOT_SECRET_ENDINGS.contains(words.get(words.size() - 1));
    }

    /**
     * The settings for a start-up log line, by name, secrets masked as {@link Settings#mask} does:
     * {@code {bootstrap.servers=k:9093, sasl.jaas.config=<set>, security.protocol=SASL_SSL}}.
     */
    public static String printable(Map<String, String> client) {
        return new TreeMap<>(client).entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? Settings.mask(e.getValue()) : e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
