package io.addonlogs.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.ingest.http.LogsHttpVerticle;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.ratelimit.PartialFrameBudget;
import io.addonlogs.ingest.ratelimit.TokenRateLimiter;
import io.addonlogs.ingest.tokens.TokenAdminApi;
import io.addonlogs.service.http.SharedPortServer;
import io.addonlogs.service.kafka.ClientConfig;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.limits.PerKeyLimit;
import io.addonlogs.service.management.ManagementServer;
import io.addonlogs.service.tokens.TokenRegistry;
import io.addonlogs.service.tokens.TokenRegistryFollower;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The ingest process's parts, wired: one shared idempotent producer, the token registry, {@code eventLoops} HTTP
 * verticles sharing the {@code /logs} port, and the management server with the admin API. Stops in order:
 * turn unready and serve on for {@code INGEST_SHUTDOWN_DELAY_MS} (each connection closed after its next answer),
 * stop accepting and finish in-flight requests, flush and close the producer (off the event loop), stop the rest.
 */
public final class IngestService {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final Vertx vertx;
    private final IngestConfig config;
    private final KafkaProducer<byte[], byte[]> producer;
    private final TokenRegistry tokens = new TokenRegistry();
    private final TokenRegistryFollower follower;
    private final KafkaLogPublisher publisher;
    private final IngestMetrics metrics;
    private final PartialFrameBudget partials;
    private final PerKeyLimit requests;
    private final SharedPortServer<LogsHttpVerticle> http;
    private ManagementServer management;
    private String managementDeployment;
    private volatile boolean stopping;
    private Future<Void> stopped;

    private IngestService(Vertx vertx, PrometheusMeterRegistry registry, IngestConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.producer = new KafkaProducer<>(producerProperties(config), new ByteArraySerializer(),
                new ByteArraySerializer());
        new KafkaClientMetrics(producer).bindTo(registry);
        this.follower = TokenRegistryFollower.start(config.kafka(), config.tokensTopic(), tokens);
        this.metrics = new IngestMetrics(registry, this::inFlightBytes);
        this.publisher = new KafkaLogPublisher(vertx, producer, config.logsTopic(), config.highWaterBytes(),
                config.lowWaterBytes(), metrics);
        this.partials = new PartialFrameBudget(config.maxPartialFrameBytes());
        this.requests = new PerKeyLimit(config.maxRequestsPerToken());
        Gauge.builder("ingest_partial_frame_bytes", partials, PartialFrameBudget::held)
                .description("Bytes held in frames split across chunks, being assembled").baseUnit("bytes")
                .register(registry);
        TokenRateLimiter rateLimiter = new TokenRateLimiter(config.tokenLinesPerSecond(), config.tokenBytesPerSecond(),
                config.tokenBurstSeconds(), System::nanoTime);
        this.http = new SharedPortServer<>(vertx, address -> new LogsHttpVerticle(config, address, tokens, publisher,
                metrics, rateLimiter, partials, requests, () -> stopping), LogsHttpVerticle::actualPort);
    }

    /** Starts everything; the future completes once both ports listen (readiness may come a little later). */
    public static Future<IngestService> start(Vertx vertx, PrometheusMeterRegistry registry, IngestConfig config) {
        IngestService service = new IngestService(vertx, registry, config);
        return service.deploy(registry).map(service);
    }

    private Future<Void> deploy(PrometheusMeterRegistry registry) {
        publisher.start();
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("tokenRegistry", tokens::isCaughtUp);
        checks.put("kafka", publisher::everAvailable);
        checks.put("accepting", () -> !stopping);
        TokenAdminApi admin = new TokenAdminApi(vertx, config.adminToken(), config.adminAuthFailures(),
                config.tokensTopic(), producer, tokens, follower, config.retryAfterSeconds());
        // the follower's loop adds "ready" (caught up, again after a restart) and "live" (not failed for good)
        management = new ManagementServer(config.managementHost(), config.managementPort(), registry, checks,
                loops(), admin::mount);
        return vertx.deployVerticle(management).onSuccess(id -> managementDeployment = id)
                .compose(v -> http.deploy(config.host(), config.port(), config.eventLoops()));
    }

    public int port() {
        return http.port();
    }

    public int managementPort() {
        return management.actualPort();
    }

    /** The supervised background loops: the token registry follower. */
    public List<SupervisedLoop<?>> loops() {
        return List.of(follower.loop());
    }

    public TokenRegistry tokens() {
        return tokens;
    }

    public long inFlightBytes() {
        return publisher == null ? 0 : publisher.inFlightBytes();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    public boolean ready() {
        return tokens.isCaughtUp() && follower.loop().ready() && publisher.everAvailable() && !stopping;
    }

    /** Stops once (SIGTERM and an explicit stop may both ask); later calls return the same future. */
    public synchronized Future<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true; // unready at once; requests until the delay is over are answered with Connection: close
        Future<Void> chain = config.shutdownDelayMs() == 0 ? Future.succeededFuture()
                : vertx.timer(config.shutdownDelayMs()).mapEmpty();
        stopped = chain
                .compose(v -> http.undeploy())
                .compose(v -> vertx.executeBlocking(() -> {
                    publisher.close();
                    producer.flush();
                    producer.close(Duration.ofSeconds(10));
                    follower.close();
                    return null;
                }, false))
                .compose(v -> managementDeployment == null ? Future.succeededFuture() : vertx.undeploy(managementDeployment))
                .onSuccess(v -> LOG.info("Ingest stopped"));
        return stopped;
    }

    /** The producer settings of the service (also what the load tool gives its raw-producer baseline). */
    public static Properties producerProperties(IngestConfig config) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "log-ingest");
        // a 2xx means stored on every in-sync replica, and retries never duplicate or reorder
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // how long a batch waits for more records, and how large it may grow (chosen from docs/BENCHMARKS.md)
        p.put(ProducerConfig.LINGER_MS_CONFIG, config.producerLingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, config.producerBatchBytes());
        // log text compresses 3-5x with lz4 at little CPU: less network and disk for the same lines
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.producerCompression());
        // room for twice the high-water mark, so send() never waits for buffer space (the publisher caps in-flight)
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(32L << 20, 2 * config.highWaterBytes()));
        // metadata is fetched before the first send; when it goes missing (brokers gone), the one send that finds
        // out blocks its event loop this long, then the publisher refuses at once until a worker re-fetches it
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200);
        // a record is given up after this long; the request already got its 503 at INGEST_KAFKA_TIMEOUT_MS
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(30_000, config.kafkaTimeoutMs() * 2));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        // one frame up to INGEST_MAX_FRAME_BYTES plus key, header and batch overhead
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1 << 20, config.maxFrameBytes() + (64 << 10)));
        Properties props = new Properties();
        props.putAll(ClientConfig.of(config.kafka(), p)); // plus bootstrap servers and security, as every client
        return props;
    }
}
