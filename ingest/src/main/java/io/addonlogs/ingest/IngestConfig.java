package io.addonlogs.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import io.addonlogs.common.config.Settings;
import io.addonlogs.common.kafka.KafkaClientSettings;

/**
 * The ingest service's settings, read from environment variables (see README, "Settings").
 *
 * @param kafka              the client settings every Kafka client of the service shares: bootstrap servers and
 *                           the {@code KAFKA_*} pass-through (security), see {@link KafkaClientSettings}
 * @param managementHost     where the management port (health, metrics, the admin API) listens: loopback unless
 *                           set, so the admin API is never exposed by accident (docs/operations.md)
 * @param adminToken         bearer token of the admin API (at least {@link #MIN_ADMIN_TOKEN_BYTES}), or null
 * @param maxBodyBytes       largest body accepted, counted after gzip inflation (413 beyond)
 * @param maxFrameBytes      largest MSG accepted (framing error beyond); below Kafka's 1 MiB request limit
 * @param highWaterBytes     bytes sent to Kafka and not yet acknowledged, process-wide, above which requests pause
 * @param lowWaterBytes      ... and below which they resume
 * @param kafkaTimeoutMs     how long a request may wait on Kafka (paused or for its last acks) before its 503
 * @param retryAfterSeconds  {@code Retry-After} of a 503
 * @param idleTimeoutSeconds a connection that sends nothing this long is closed
 * @param headerTimeoutSeconds a connection must deliver a request's headers within this long of opening or of the
 *                           previous response, else it is closed (header tricklers)
 * @param bodyTimeoutSeconds a body not complete this long after its headers gets 408 (body tricklers); time the
 *                           request is paused for Kafka does not count
 * @param eventLoops         HTTP verticle instances (one event loop each)
 * @param tokenLinesPerSecond per-token line rate (per instance) beyond which requests get 429; 0 = no limit
 * @param tokenBytesPerSecond per-token byte rate (frames, per instance) beyond which requests get 429; 0 = no limit
 * @param tokenBurstSeconds  how many seconds of those rates a token may send at once
 * @param maxPartialFrameBytes bytes held in partial frames (split across chunks), process-wide, beyond which new
 *                           requests get 503; by default a quarter of the heap, 64 MiB at most
 * @param maxRequestsPerToken requests in progress per token (per instance) beyond which new ones get 429
 * @param producerLingerMs   the producer's {@code linger.ms}: how long a batch waits for more records
 * @param producerBatchBytes the producer's {@code batch.size}
 * @param producerCompression the producer's {@code compression.type}: lz4, zstd, snappy, gzip or none
 * @param adminAuthFailures  failed admin authentications from one address within a minute after which it is refused
 *                           (429) for a minute
 * @param shutdownDelayMs    on SIGTERM, how long the instance goes on serving, unready and answering with
 *                           {@code Connection: close}, before it stops accepting: the load balancer takes it out
 *                           of its pool meanwhile, so that no request races the close of an idle kept-alive
 *                           connection (docs/operations.md, "Rolling deploys")
 */
public record IngestConfig(Map<String, String> kafka, String logsTopic, String tokensTopic, String host, int port,
                           String managementHost, int managementPort, String adminToken, long maxBodyBytes,
                           int maxFrameBytes,
                           long highWaterBytes, long lowWaterBytes, long kafkaTimeoutMs, int retryAfterSeconds,
                           int idleTimeoutSeconds, int headerTimeoutSeconds, int bodyTimeoutSeconds,
                           int eventLoops, String tlsCert, String tlsKey,
                           long tokenLinesPerSecond, long tokenBytesPerSecond, int tokenBurstSeconds,
                           long maxPartialFrameBytes, int maxRequestsPerToken, int producerLingerMs,
                           int producerBatchBytes, String producerCompression, int adminAuthFailures,
                           int shutdownDelayMs) {

    /** An admin token shorter than this is refused at start-up: it must not be guessable. */
    public static final int MIN_ADMIN_TOKEN_BYTES = 32;
    /** Kafka's compression types, as {@code compression.type} spells them. */
    static final List<String> COMPRESSION_TYPES = List.of("lz4", "zstd", "snappy", "gzip", "none");

    public static IngestConfig from(Map<String, String> env) {
        return from(new Settings(env));
    }

    public static IngestConfig from(Settings s) {
        long high = s.longValue("INGEST_INFLIGHT_HIGH_WATER_BYTES", 8L << 20, 64 << 10, 1L << 30);
        String cert = s.optional("INGEST_TLS_CERT");
        String key = s.optional("INGEST_TLS_KEY");
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("INGEST_TLS_CERT and INGEST_TLS_KEY must be set together");
        }
        String adminToken = s.optional("INGEST_ADMIN_TOKEN");
        if (adminToken != null && adminToken.getBytes(StandardCharsets.UTF_8).length < MIN_ADMIN_TOKEN_BYTES) {
            throw new IllegalArgumentException("INGEST_ADMIN_TOKEN must be at least " + MIN_ADMIN_TOKEN_BYTES
                    + " bytes (e.g. openssl rand -base64 32), or unset to disable the admin API");
        }
        return new IngestConfig(
                KafkaClientSettings.from(s),
                s.string("LOGS_TOPIC", "logs"),
                s.string("TOKENS_TOPIC", "log-tokens"),
                s.string("INGEST_HOST", "0.0.0.0"),
                s.port("INGEST_PORT", 8080),
                s.string("INGEST_MANAGEMENT_HOST", "127.0.0.1"),
                s.port("INGEST_MANAGEMENT_PORT", 8081),
                adminToken,
                s.longValue("INGEST_MAX_BODY_BYTES", 10L << 20, 1024, 1L << 40),
                s.integer("INGEST_MAX_FRAME_BYTES", 256 << 10, 512, 900 << 10),
                high,
                s.longValue("INGEST_INFLIGHT_LOW_WATER_BYTES", high / 2, 0, high - 1),
                s.longValue("INGEST_KAFKA_TIMEOUT_MS", 10_000, 100, 600_000),
                s.integer("INGEST_RETRY_AFTER_SECONDS", 5, 1, 3600),
                s.integer("INGEST_IDLE_TIMEOUT_SECONDS", 30, 1, 3600),
                s.integer("INGEST_HEADER_TIMEOUT_SECONDS", 10, 1, 3600),
                s.integer("INGEST_BODY_TIMEOUT_SECONDS", 60, 1, 3600),
                s.integer("INGEST_EVENT_LOOPS", Runtime.getRuntime().availableProcessors(), 1, 256),
                cert, key,
                s.longValue("INGEST_TOKEN_LINES_PER_SECOND", 50_000, 0, 100_000_000),
                s.longValue("INGEST_TOKEN_BYTES_PER_SECOND", 20L << 20, 0, 10L << 30),
                s.integer("INGEST_TOKEN_BURST_SECONDS", 2, 1, 3600),
                s.longValue("INGEST_MAX_PARTIAL_FRAME_BYTES", defaultPartialFrameBytes(Runtime.getRuntime().maxMemory()),
                        64 << 10, 1L << 40),
                s.integer("INGEST_MAX_REQUESTS_PER_TOKEN", 64, 1, 1_000_000),
                s.integer("INGEST_PRODUCER_LINGER_MS", 1, 0, 1000),
                s.integer("INGEST_PRODUCER_BATCH_BYTES", 256 << 10, 1024, 16 << 20),
                compression(s.string("INGEST_PRODUCER_COMPRESSION", "lz4")),
                s.integer("INGEST_ADMIN_AUTH_FAILURES", 10, 1, 10_000),
                s.integer("INGEST_SHUTDOWN_DELAY_MS", 3000, 0, 60_000));
    }

    /**
     * A quarter of the heap, 64 MiB at most: what partial frames may hold must leave room for the lines waiting for
     * Kafka and the connections themselves (15 MiB with the image's 60 MiB heap, deploy/docker/ingest.jvm).
     */
    static long defaultPartialFrameBytes(long maxHeapBytes) {
        return Math.max(64 << 10, Math.min(64L << 20, maxHeapBytes / 4));
    }

    private static String compression(String type) {
        if (!COMPRESSION_TYPES.contains(type)) {
            throw new IllegalArgumentException("INGEST_PRODUCER_COMPRESSION must be one of " + COMPRESSION_TYPES
                    + ", not " + type);
        }
        return type;
    }

    public boolean tls() {
        return tlsCert != null;
    }

    @Override
    public String toString() {
        return "IngestConfig[kafka=" + KafkaClientSettings.printable(kafka) + ", logsTopic=" + logsTopic
                + ", tokensTopic=" + tokensTopic + ", host=" + host + ", port=" + port + ", managementHost="
                + managementHost + ", managementPort=" + managementPort
                + ", adminToken=" + Settings.mask(adminToken) + ", maxBodyBytes=" + maxBodyBytes + ", maxFrameBytes="
                + maxFrameBytes + ", highWaterBytes=" + highWaterBytes + ", lowWaterBytes=" + lowWaterBytes
                + ", kafkaTimeoutMs=" + kafkaTimeoutMs + ", retryAfterSeconds=" + retryAfterSeconds
                + ", idleTimeoutSeconds=" + idleTimeoutSeconds + ", headerTimeoutSeconds=" + headerTimeoutSeconds
                + ", bodyTimeoutSeconds=" + bodyTimeoutSeconds + ", eventLoops=" + eventLoops + ", tls=" + tls()
                + ", tokenLinesPerSecond=" + tokenLinesPerSecond + ", tokenBytesPerSecond=" + tokenBytesPerSecond
                + ", tokenBurstSeconds=" + tokenBurstSeconds + ", maxPartialFrameBytes=" + maxPartialFrameBytes
                + ", maxRequestsPerToken=" + maxRequestsPerToken + ", producerLingerMs=" + producerLingerMs
                + ", producerBatchBytes=" + producerBatchBytes + ", producerCompression=" + producerCompression
                + ", adminAuthFailures=" + adminAuthFailures
                + ", shutdownDelayMs=" + shutdownDelayMs + "]";
    }
}
