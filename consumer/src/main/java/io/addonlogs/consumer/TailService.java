package io.addonlogs.consumer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.consumer.auth.ViewerAuth;
import io.addonlogs.consumer.drains.DrainsApi;
import io.addonlogs.consumer.history.HistoryIndexer;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.consumer.kafka.LiveReader;
import io.addonlogs.consumer.sse.LiveBatch;
import io.addonlogs.consumer.sse.TailHttpVerticle;
import io.addonlogs.consumer.sse.TailMetrics;
import io.addonlogs.service.http.SharedPortServer;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.limits.PerKeyLimit;
import io.addonlogs.service.management.ManagementServer;
import io.addonlogs.service.tokens.TokenRegistry;
import io.addonlogs.service.tokens.TokenRegistryFollower;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The consumer process's parts, wired: token registry, the live reader, the SSE verticle and the management
 * server. Stops in order: end the SSE streams (clients resume elsewhere), stop the reader, then the rest.
 */
public final class TailService {

    private static final Logger LOG = LoggerFactory.getLogger(TailService.class);

    private final Vertx vertx;
    private final TokenRegistry tokens = new TokenRegistry();
    private final TokenRegistryFollower follower;
    private final LiveReader<LiveBatch> live;
    private final TailMetrics metrics;
    private final ViewerAuth auth;
    private final DrainsApi drains;
    private final HistoryReader history;
    private final HistoryIndexer indexer;
    private final PerKeyLimit tails;
    private final SharedPortServer<TailHttpVerticle> http;
    private final ManagementServer management;
    private String managementDeployment;
    private volatile boolean stopping;
    private Future<Void> stopped;

    private TailService(Vertx vertx, PrometheusMeterRegistry registry, TailConfig config) {
        this.vertx = vertx;
        this.follower = TokenRegistryFollower.start(config.kafka(), config.tokensTopic(), tokens);
        this.live = TailHttpVerticle.liveReader(config, registry);
        this.metrics = new TailMetrics(registry);
        this.auth = ViewerAuth.create(vertx, config);
        this.drains = new DrainsApi(vertx, config.kafka(), config.drains(), tokens, auth);
        this.history = new HistoryReader(config.kafka(), config.logsTopic(), config.indexTopic(),
                config.historyReaders(), config.maxReplays(), registry);
        this.indexer = new HistoryIndexer(config.kafka(), config.logsTopic(), config.indexTopic(),
                config.indexTopic(), config.indexBlockRecords(), config.indexBlockMillis(), registry);
        this.tails = new PerKeyLimit(config.maxTailsPerViewer());
        this.http = new SharedPortServer<>(vertx, address -> new TailHttpVerticle(config, address, tokens, auth, live,
                history, metrics, tails, drains.routes()), TailHttpVerticle::actualPort);
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("tokenRegistry", tokens::isCaughtUp);
        checks.put("kafka", () -> live.partitionCount() > 0);
        checks.put("accepting", () -> !stopping);
        // each loop adds "ready" (running and caught up, again after a restart) and "live" (not failed for good)
        this.management = new ManagementServer(config.managementHost(), config.managementPort(), registry, checks,
                loops(), r -> { });
    }

    /**
     * Starts the management server, then the SSE verticle with one instance per event loop
     * ({@code CONSUMER_EVENT_LOOPS}) on one port: Vert.x shares their server and spreads connections over their
     * event loops.
     */
    public static Future<TailService> start(Vertx vertx, PrometheusMeterRegistry registry, TailConfig config) {
        TailService service = new TailService(vertx, registry, config);
        return vertx.deployVerticle(service.management).onSuccess(id -> service.managementDeployment = id)
                .compose(v -> service.http.deploy(config.host(), config.port(), config.eventLoops()))
                .map(service);
    }

    public int port() {
        return http.port();
    }

    public int managementPort() {
        return management.actualPort();
    }

    /** The logs topic's partition count as this instance's live reader last saw it. */
    public int tailsPartitionCount() {
        return live.partitionCount();
    }

    /** The supervised background loops: the token registry follower, the live reader and the drains' followers. */
    public List<SupervisedLoop<?>> loops() {
        List<SupervisedLoop<?>> loops = new java.util.ArrayList<>(List.of(follower.loop(), live.loop()));
        loops.addAll(drains.loops());
        return loops;
    }

    public TokenRegistry tokens() {
        return tokens;
    }

    public TailMetrics metrics() {
        return metrics;
    }

    public HistoryReader history() {
        return history;
    }

    public HistoryIndexer indexer() {
        return indexer;
    }

    public boolean ready() {
        return tokens.isCaughtUp() && live.partitionCount() > 0 && follower.loop().ready() && live.loop().ready()
                && !stopping;
    }

    /** Stops once; later calls return the same future. */
    public synchronized Future<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopping = true;
        stopped = http.undeploy()
                .onComplete(v -> LOG.info("SSE streams ended, HTTP server closed"))
                .onComplete(v -> auth.close())
                .compose(v -> vertx.executeBlocking(() -> {
                    live.close();
                    indexer.close();
                    history.close();
                    drains.close();
                    follower.close();
                    return null;
                }, false))
                .compose(v -> managementDeployment == null ? Future.succeededFuture() : vertx.undeploy(managementDeployment))
                .onSuccess(v -> LOG.info("Consumer stopped"));
        return stopped;
    }
}
