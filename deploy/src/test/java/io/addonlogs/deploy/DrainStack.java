package io.addonlogs.deploy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainJson;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainSecrets;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.drains.Secret;
import io.addonlogs.common.kafka.LogHeaders;
import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.common.tokens.TokenRecordJson;
import io.addonlogs.kafka.embedded.KafkaCluster;

/**
 * Drain workers as operators run them ({@code java -jar log-drain.jar}, each in its own JVM) over a Kafka with fresh
 * topics, and what a test needs around them: tokens registered, drains defined, and lines stored in the logs topic as
 * ingest stores them (key = token, header {@code addon-id}) by this JVM's producer, so that no ingest is in the way.
 */
final class DrainStack implements AutoCloseable {

    static final String KEY = Base64.getEncoder().encodeToString("deploy-drain-stack-key-012345678"
            .getBytes(StandardCharsets.US_ASCII)); // 32 bytes: an AES-256 key
    static final String OWNER = "orga_drain_stack";

    /** {@code drain_delivered_lines_total{drain="drain_…",type="SYSLOG_TCP"} 123.0} */
    private static final Pattern PER_DRAIN = Pattern.compile("^(\\w+)\\{drain=\"([^\"]+)\",type=\"\\w+\"} (\\S+)$");

    final KafkaCluster kafka;
    final int partitions;
    final String logsTopic = "logs-" + UUID.randomUUID();
    final String tokensTopic = "tokens-" + UUID.randomUUID();
    final String drainsTopic = "drains-" + UUID.randomUUID();
    final String cursorsTopic = "cursors-" + UUID.randomUUID();
    final String statusTopic = "status-" + UUID.randomUUID();
    final String group = "drain-group-" + UUID.randomUUID();
    private final DrainSecrets secrets = DrainSecrets.fromBase64(KEY);
    private final KafkaProducer<byte[], byte[]> producer;
    private final Path dir;
    private final List<ServiceInstance> workers = new ArrayList<>();

    DrainStack(KafkaCluster kafka, int partitions, Path dir) {
        this.kafka = kafka;
        this.partitions = partitions;
        this.dir = dir;
        kafka.createTopic(logsTopic, partitions);
        kafka.createTopic(logsTopic + "-index", partitions);
        for (String compacted : List.of(tokensTopic, drainsTopic, cursorsTopic, statusTopic)) {
            kafka.createTopic(compacted, 1, (short) 1, Map.of("cleanup.policy", "compact"));
        }
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                // as ingest: every replica has a line before it counts, in order per partition across retries
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // lines come by thousands a second: batch them a little, as ingest does
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A worker on this stack's topics and group, with {@code extra} settings, not started yet; closed with the stack.
     */
    ServiceInstance worker(String name, Map<String, String> extra, List<String> jvmOptions) {
        Map<String, String> env = new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "LOGS_TOPIC", logsTopic, "TOKENS_TOPIC", tokensTopic, "DRAINS_TOPIC", drainsTopic,
                "DRAIN_CURSORS_TOPIC", cursorsTopic, "DRAIN_STATUS_TOPIC", statusTopic, "DRAINS_SECRET_KEY", KEY,
                "DRAIN_GROUP", group));
        env.putAll(extra);
        ServiceInstance worker = new ServiceInstance(ServiceInstance.Kind.DRAIN, name, env, dir, jvmOptions);
        workers.add(worker);
        return worker;
    }

    /** {@code count} tokens whose lines go to partitions 0, 1, ... in turn (by the producers' key hash). */
    static List<String> tokensOverPartitions(String prefix, int count, int partitions) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; tokens.size() < count; i++) {
            String token = prefix + i + "_0123456789abcdef0123456789";
            if (LogPartitions.of(token.getBytes(StandardCharsets.UTF_8), partitions) == tokens.size() % partitions) {
                tokens.add(token);
            }
        }
        return tokens;
    }

    void register(String token, String addonId, String realId) throws Exception {
        producer.send(new ProducerRecord<>(tokensTopic, bytes(token), TokenRecordJson.toBytes(
                new TokenRecord(addonId, OWNER, Instant.now(), realId, null)))).get(30, TimeUnit.SECONDS);
    }

    /** A SYSLOG_TCP drain of the add-on into {@code url}, stored (the workers apply it within 500 ms). */
    DrainDefinition drain(String addonId, String url) throws Exception {
        DrainDefinition drain = new DrainDefinition("drain_" + UUID.randomUUID(), addonId, OWNER, null,
                new DrainRecipient(DrainType.SYSLOG_TCP, Secret.of(url), null, null, null, null, null, null), true,
                Instant.now(), null);
        producer.send(new ProducerRecord<>(drainsTopic, bytes(drain.id()), DrainJson.toBytes(drain, secrets)))
                .get(30, TimeUnit.SECONDS);
        return drain;
    }

    /** A line as a provider sends it, under its token. */
    static String line(String token, String message) {
        return "<190>1 2026-11-23T10:11:12.345Z pg-host " + token + " postgres.7 - - " + message;
    }

    /** The same line as a drain forwards it: APP-NAME is the add-on's real id. */
    static String forwarded(String realId, String message) {
        return line(realId, message);
    }

    /** Stores a line in the logs topic as ingest would; {@code done} runs on the producer's I/O thread. */
    void send(String token, String addonId, String message, Callback done) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(logsTopic, bytes(token),
                bytes(line(token, message)));
        record.headers().add(LogHeaders.ADDON_ID, bytes(addonId));
        producer.send(record, done);
    }

    void flush() {
        producer.flush();
    }

    /** The partitions each member of the workers' group holds now, by member (empty while rebalancing). */
    Map<String, Integer> assignment() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group)).all()
                    .get(10, TimeUnit.SECONDS).get(group);
            Map<String, Integer> held = new LinkedHashMap<>();
            for (MemberDescription member : described.members()) {
                held.put(member.consumerId(), member.assignment().topicPartitions().size());
            }
            return held;
        } catch (ExecutionException | TimeoutException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * A per-drain series of a worker's {@code /metrics} ({@code drain_delivered_lines_total}, {@code drain_lag_lines}),
     * by drain id: the drains that have (or had) a channel on that worker.
     */
    static Map<String, Double> perDrain(ServiceInstance worker, String series) {
        Map<String, Double> out = new HashMap<>();
        for (String line : ServiceInstance.metricsPage(worker.managementUrl()).split("\n")) {
            Matcher m = PER_DRAIN.matcher(line);
            if (m.matches() && m.group(1).equals(series)) {
                out.put(m.group(2), Double.parseDouble(m.group(3)));
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        workers.forEach(ServiceInstance::close);
        producer.close();
    }
}
