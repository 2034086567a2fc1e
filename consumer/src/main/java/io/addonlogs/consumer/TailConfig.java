package io.addonlogs.consumer;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.addonlogs.common.config.Settings;

/**
 * The consumer service's settings, read from environment variables (README, "Settings (consumer)").
 *
 * @param jwtSecret            HS256 key of viewer tokens; at least 32 bytes
 * @param heartbeatMs          period of the SSE {@code HEARTBEAT} event
 * @param viewerQueueBytes     bytes waiting to be written to one viewer beyond which it is dropped as too slow
 * @param viewerBufferedEvents live events held for a viewer while its history is replayed (dropped beyond)
 */
public record TailConfig(String bootstrapServers, String logsTopic, String tokensTopic, String host, int port,
                         int managementPort, String jwtSecret, int heartbeatMs, int viewerQueueBytes,
                         int viewerBufferedEvents) {

    public static TailConfig from(Map<String, String> env) {
        return from(new Settings(env));
    }

    public static TailConfig from(Settings s) {
        String secret = s.optional("VIEWER_JWT_SECRET");
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("VIEWER_JWT_SECRET must be set to at least 32 bytes (HS256 key)");
        }
        return new TailConfig(
                s.string("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092"),
                s.string("LOGS_TOPIC", "logs"),
                s.string("TOKENS_TOPIC", "log-tokens"),
                s.string("CONSUMER_HOST", "0.0.0.0"),
                s.port("CONSUMER_PORT", 8090),
                s.port("CONSUMER_MANAGEMENT_PORT", 8091),
                secret,
                s.integer("SSE_HEARTBEAT_MS", 2000, 100, 60_000),
                s.integer("SSE_VIEWER_QUEUE_BYTES", 1 << 20, 16 << 10, 64 << 20),
                s.integer("SSE_VIEWER_BUFFERED_EVENTS", 10_000, 100, 1_000_000));
    }

    @Override
    public String toString() {
        return "TailConfig[bootstrapServers=" + bootstrapServers + ", logsTopic=" + logsTopic + ", tokensTopic="
                + tokensTopic + ", host=" + host + ", port=" + port + ", managementPort=" + managementPort
                + ", jwtSecret=" + Settings.mask(jwtSecret) + ", heartbeatMs=" + heartbeatMs + ", viewerQueueBytes="
                + viewerQueueBytes + ", viewerBufferedEvents=" + viewerBufferedEvents + "]";
    }
}
