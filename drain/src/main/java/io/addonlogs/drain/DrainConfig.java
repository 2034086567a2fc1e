package io.addonlogs.drain;

import java.time.Duration;
import java.util.Map;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.kafka.KafkaClientSettings;
import io.addonlogs.common.drains.DrainSecrets;
import io.addonlogs.service.kafka.SupervisedLoop;

/**
 * The drain worker's settings, read from environment variables (README, "Settings (drain)").
 *
 * @param group           the consumer group the workers share the logs topic's partitions through
 * @param batchLines      lines per delivery at most (a syslog write; an HTTP request carries 500 at most)
 * @param pendingLines    live lines held for one drain on one partition while a delivery is in flight; beyond, the
 *                        drain stops taking live lines and catches up from Kafka (memory bound per drain)
 * @param backoff         first and longest wait before a failed drain tries again (doubling in between)
 * @param timeoutMs       longest a delivery (connect, write, HTTP answer) may take before it counts as failed
 * @param statusMillis    how often statuses (and idle drains' cursors) are published
 * @param kafka           the client settings every Kafka client of the service shares (bootstrap servers, the
 *                        {@code KAFKA_*} pass-through), see {@link KafkaClientSettings}
 * @param historyReaders  threads reading catching-up drains' lines from Kafka (the consumer's history reader)
 * @param udpMaxBytes     a syslog UDP datagram's size at most: longer lines are cut (RFC 5426)
 * @param tlsTrustPem     PEM file of CAs trusted for {@code tcp+tls://} and {@code https://} recipients instead of
 *                        the JVM's (null: the JVM's)
 */
public record DrainConfig(Map<String, String> kafka, String logsTopic, String tokensTopic, String indexTopic,
                          String drainsTopic, String cursorsTopic, String statusTopic, DrainSecrets secrets,
                          String group, String managementHost, int managementPort, int batchLines, int pendingLines,
                          SupervisedLoop.Backoff backoff, int timeoutMs, int statusMillis, int historyReaders,
                          int udpMaxBytes, String tlsTrustPem) {

    public static DrainConfig from(Map<String, String> env) {
        return from(new Settings(env));
    }

    public static DrainConfig from(Settings s) {
        String logsTopic = s.string("LOGS_TOPIC", "logs");
        String key = s.optional("DRAINS_SECRET_KEY");
        if (key == null) {
            throw new IllegalArgumentException("set DRAINS_SECRET_KEY (base64 of 32 random bytes: openssl rand -base64 32),"
                    + " the key drain secrets are sealed with (the same on the consumers)");
        }
        return new DrainConfig(
                KafkaClientSettings.from(s),
                logsTopic,
                s.string("TOKENS_TOPIC", "log-tokens"),
                s.string("LOGS_INDEX_TOPIC", logsTopic + "-index"),
                s.string("DRAINS_TOPIC", "log-drains"),
                s.string("DRAIN_CURSORS_TOPIC", "log-drain-cursors"),
                s.string("DRAIN_STATUS_TOPIC", "log-drain-status"),
                DrainSecrets.fromBase64(key),
                s.string("DRAIN_GROUP", "log-drain"),
                s.string("DRAIN_MANAGEMENT_HOST", "0.0.0.0"),
                s.port("DRAIN_MANAGEMENT_PORT", 8093),
                s.integer("DRAIN_BATCH_LINES", 2000, 1, 100_000),
                s.integer("DRAIN_PENDING_LINES", 10_000, 1, 10_000_000),
                new SupervisedLoop.Backoff(Duration.ofMillis(s.integer("DRAIN_BACKOFF_INITIAL_MS", 1000, 1, 3_600_000)),
                        Duration.ofMillis(s.integer("DRAIN_BACKOFF_MAX_MS", 60_000, 1, 86_400_000))),
                s.integer("DRAIN_TIMEOUT_MS", 10_000, 100, 600_000),
                s.integer("DRAIN_STATUS_MS", 1000, 50, 600_000),
                s.integer("DRAIN_HISTORY_READERS", 2, 1, 64),
                s.integer("DRAIN_UDP_MAX_BYTES", 2048, 480, 65_507),
                s.optional("DRAIN_TLS_TRUST_PEM"));
    }

    /** For the start-up log: the Kafka client settings' secrets masked (the drain secrets' key is never printed). */
    @Override
    public String toString() {
        return "DrainConfig[kafka=" + KafkaClientSettings.printable(kafka) + ", logsTopic=" + logsTopic
                + ", tokensTopic=" + tokensTopic + ", indexTopic=" + indexTopic + ", drainsTopic=" + drainsTopic
                + ", cursorsTopic=" + cursorsTopic + ", statusTopic=" + statusTopic + ", group=" + group
                + ", managementHost=" + managementHost + ", managementPort=" + managementPort + ", batchLines="
                + batchLines + ", pendingLines=" + pendingLines + ", backoff=" + backoff + ", timeoutMs=" + timeoutMs
                + ", statusMillis=" + statusMillis + ", historyReaders=" + historyReaders + ", udpMaxBytes="
                + udpMaxBytes + ", tlsTrustPem=" + tlsTrustPem + "]";
    }
}
