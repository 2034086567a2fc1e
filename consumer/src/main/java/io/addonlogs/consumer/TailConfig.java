package io.addonlogs.consumer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.kafka.KafkaClientSettings;
import io.addonlogs.consumer.drains.DrainsApiConfig;

/**
 * The consumer service's settings, read from environment variables (README, "Settings (consumer)").
 *
 * @param kafka                the client settings every Kafka client of the service shares: bootstrap servers and
 *                             the {@code KAFKA_*} pass-through (security), see {@link KafkaClientSettings}
 * @param managementHost       where the management port (health, metrics) listens; {@code CONSUMER_HOST} unless set
 * @param jwtSecret            HS256 key of viewer tokens (at least 32 bytes); null when only the platform's sign-in
 *                             is used
 * @param authUrl              the platform's sign-in endpoint ({@code VIEWER_AUTH_URL}), or null
 * @param authTimeoutMs        how long a sign-in may take before the caller gets 503
 * @param authCacheSeconds     how long a positive sign-in answer is reused
 * @param authCacheEntries     how many sign-in answers are kept at most
 * @param heartbeatMs          period of the SSE {@code HEARTBEAT} event
 * @param viewerQueueBytes     bytes waiting to be written to one viewer beyond which it is dropped as too slow
 * @param viewerBufferedEvents live events held for a viewer while its history is replayed (dropped beyond)
 * @param viewerHeldBytes      live record bytes held for a viewer while its history is replayed (dropped beyond)
 * @param historyReaders       threads (each with its own Kafka consumer) serving history steps to every viewer
 * @param maxReplays           viewers replaying history at once on this instance (503 beyond)
 * @param maxTailsPerViewer    open tails of one viewer identity on this instance (429 beyond)
 * @param headerTimeoutSeconds a connection must send a request's complete headers within this long (slowloris)
 * @param eventLoops           SSE verticle instances, one event loop each
 * @param sendBufferBytes      the kernel send buffer of each viewer connection: with the write queue, what a viewer
 *                             that stopped reading can make this instance read and encode
 * @param indexTopic           the history index topic (its consumer group, which shares the indexing among consumer
 *                             instances, has the same name)
 * @param indexBlockRecords    log records per index block at most
 * @param indexBlockMillis     how long a log record waits at most before its index block is written
 * @param drains               the drains API's settings
 * @param fanOutHoldMillis     how long the live lines of an add-on with {@code fanOutMinViewers} viewers or more
 *                             are held at most, so that each viewer gets fewer, larger writes (0: never held)
 * @param fanOutMinViewers     the viewers an add-on needs for its live lines to be held
 * @param routeByPartition     answer a tail request that names no {@code partition} with a 307 to the same URL
 *                             naming its add-on's partition, for a load balancer that hashes on it
 *                             ({@code CONSUMER_ROUTE_BY_PARTITION}, docs/operations.md "Routing viewers")
 */
public record TailConfig(Map<String, String> kafka, String logsTopic, String tokensTopic, String host, int port,
                         String managementHost, int managementPort, String jwtSecret, String authUrl, int authTimeoutMs,
                         int authCacheSeconds, int authCacheEntries, int heartbeatMs, int viewerQueueBytes,
                         int viewerBufferedEvents, int viewerHeldBytes, int historyReaders, int maxReplays,
                         int maxTailsPerViewer, int headerTimeoutSeconds, int eventLoops, int sendBufferBytes,
                         String indexTopic, int indexBlockRecords, int indexBlockMillis, int fanOutHoldMillis,
                         int fanOutMinViewers, DrainsApiConfig drains, boolean routeByPartition) {

    /** {@code Retry-After} of the consumer's 429 and 503 answers. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public static TailConfig from(Map<String, String> env) {
        return from(new Settings(env));
    }

    public static TailConfig from(Settings s) {
        String secret = s.optional("VIEWER_JWT_SECRET");
        String authUrl = s.optional("VIEWER_AUTH_URL");
        if (secret == null && authUrl == null) {
            throw new IllegalArgumentException("set VIEWER_JWT_SECRET (HS256 key of viewer tokens, at least 32 bytes), "
                    + "VIEWER_AUTH_URL (the platform's sign-in endpoint), or both");
        }
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("VIEWER_JWT_SECRET must be at least 32 bytes (HS256 key)");
        }
        if (authUrl != null && !authUrl.matches("(?i)https?://[^\\s]+")) {
            throw new IllegalArgumentException("VIEWER_AUTH_URL must be an http:// or https:// URL");
        }
        String logsTopic = s.string("LOGS_TOPIC", "logs");
        String host = s.string("CONSUMER_HOST", "0.0.0.0");
        return new TailConfig(
                KafkaClientSettings.from(s),
                logsTopic,
                s.string("TOKENS_TOPIC", "log-tokens"),
                host,
                s.port("CONSUMER_PORT", 8090),
                // no admin API here: health and metrics, which probes and Prometheus must reach, may follow the host
                s.string("CONSUMER_MANAGEMENT_HOST", host),
                s.port("CONSUMER_MANAGEMENT_PORT", 8091),
                secret,
                authUrl,
                s.integer("VIEWER_AUTH_TIMEOUT_MS", 3000, 100, 60_000),
                s.integer("VIEWER_AUTH_CACHE_SECONDS", 60, 0, 3600),
                s.integer("VIEWER_AUTH_CACHE_ENTRIES", 10_000, 1, 1_000_000),
                s.integer("SSE_HEARTBEAT_MS", 2000, 100, 60_000),
                s.integer("SSE_VIEWER_QUEUE_BYTES", 1 << 20, 16 << 10, 64 << 20),
                s.integer("SSE_VIEWER_BUFFERED_EVENTS", 10_000, 100, 1_000_000),
                s.integer("SSE_VIEWER_HELD_BYTES", 8 << 20, 64 << 10, 256 << 20),
                s.integer("CONSUMER_HISTORY_READERS", 2, 1, 64),
                s.integer("CONSUMER_MAX_REPLAYS", 256, 1, 100_000),
                s.integer("CONSUMER_MAX_TAILS_PER_VIEWER", 20, 1, 100_000),
                s.integer("CONSUMER_HEADER_TIMEOUT_SECONDS", 10, 1, 600),
                s.integer("CONSUMER_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256),
                s.integer("SSE_SEND_BUFFER_BYTES", 256 << 10, 16 << 10, 64 << 20),
                s.string("LOGS_INDEX_TOPIC", logsTopic + "-index"),
                s.integer("CONSUMER_INDEX_BLOCK_RECORDS", 4096, 16, 1 << 20),
                s.integer("CONSUMER_INDEX_BLOCK_MS", 1000, 10, 60_000),
                s.integer("SSE_FANOUT_HOLD_MS", 50, 0, 1000),
                s.integer("SSE_FANOUT_MIN_VIEWERS", 32, 1, 1_000_000),
                DrainsApiConfig.from(s),
                bool(s, "CONSUMER_ROUTE_BY_PARTITION"));
    }

    private static boolean bool(Settings s, String name) {
        String value = s.string(name, "false");
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, not " + value);
        }
        return Boolean.parseBoolean(value);
    }

    @Override
    public String toString() {
        return "TailConfig[kafka=" + KafkaClientSettings.printable(kafka) + ", logsTopic=" + logsTopic
                + ", tokensTopic=" + tokensTopic + ", host=" + host + ", port=" + port + ", managementHost="
                + managementHost + ", managementPort=" + managementPort
                + ", jwtSecret=" + (jwtSecret == null ? "unset" : Settings.mask(jwtSecret)) + ", authUrl=" + authUrl
                + ", authTimeoutMs=" + authTimeoutMs + ", authCacheSeconds=" + authCacheSeconds + ", authCacheEntries="
                + authCacheEntries + ", heartbeatMs=" + heartbeatMs + ", viewerQueueBytes=" + viewerQueueBytes
                + ", viewerBufferedEvents=" + viewerBufferedEvents + ", viewerHeldBytes=" + viewerHeldBytes
                + ", historyReaders=" + historyReaders + ", maxReplays=" + maxReplays + ", maxTailsPerViewer="
                + maxTailsPerViewer + ", headerTimeoutSeconds=" + headerTimeoutSeconds + ", eventLoops=" + eventLoops
                + ", sendBufferBytes=" + sendBufferBytes + ", indexTopic=" + indexTopic + ", indexBlockRecords="
                + indexBlockRecords + ", indexBlockMillis=" + indexBlockMillis + ", fanOutHoldMillis=" + fanOutHoldMillis
                + ", fanOutMinViewers=" + fanOutMinViewers + ", drains=" + drains
                + ", routeByPartition=" + routeByPartition + "]";
    }
}
