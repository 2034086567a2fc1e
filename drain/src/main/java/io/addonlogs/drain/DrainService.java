package io.addonlogs.drain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.drain.delivery.DrainMetrics;
import io.addonlogs.drain.delivery.DrainWorker;
import io.addonlogs.drain.kafka.DrainCursors;
import io.addonlogs.drain.kafka.LogTap;
import io.addonlogs.service.drains.DrainRegistry;
import io.addonlogs.service.kafka.CompactedTopicFollower;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.addonlogs.service.management.ManagementServer;
import io.addonlogs.service.tokens.TokenRegistry;
import io.addonlogs.service.tokens.TokenRegistryFollower;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A drain worker's parts, wired: the token registry (add-ons' partitions and real ids), the drain definitions, the
 * cursors, the history reader for catching up, the worker verticle, then the shared live read (started last, once
 * the registries have caught up, so that no partition is taken before its drains are known). Stops in order: the
 * live read (its partitions go to the other workers), the worker (deliveries in flight are dropped: their lines are
 * after the last cursor written, so the next owner sends them), then the rest.
 */
public final class DrainService {

    private static final Logger LOG = LoggerFactory.getLogger(DrainService.class);

    private final Vertx vertx;
    private final DrainConfig config;
    private final TokenRegistry tokens = new TokenRegistry();
    private final DrainRegistry drains = new DrainRegistry();
    private final TokenRegistryFollower tokenFollower;
    private final CompactedTopicFollower drainFollower;
    private final DrainCursors cursors;
    private final HistoryReader history;
    private final DrainWorker worker;
    private final LogTap tap;
    private final ManagementServer management;
    private String workerDeployment;
    private String managementDeployment;
    private Future<Void> stopped;

    private DrainService(Vertx vertx, PrometheusMeterRegistry registry, DrainConfig config) {
        this.vertx = vertx;
        this.config = config;
        this.tokenFollower = TokenRegistryFollower.start(config.kafka(), config.tokensTopic(), tokens);
        this.drainFollower = drains.follow(config.kafka(), config.drainsTopic(), config.secrets());
        this.cursors = new DrainCursors(config.kafka(), config.cursorsTopic(), config.statusTopic());
        this.history = new HistoryReader(config.kafka(), config.logsTopic(), config.indexTopic(),
                config.historyReaders(), Integer.MAX_VALUE, registry);
        this.worker = new DrainWorker(config, drains, tokens, cursors, history, new DrainMetrics(registry));
        this.tap = new LogTap(config.kafka(), config.logsTopic(), config.group(), cursors, worker, worker);
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>();
        checks.put("tokenRegistry", tokens::isCaughtUp);
        checks.put("drainRegistry", drains::isCaughtUp);
        checks.put("cursors", cursors::isCaughtUp);
        this.management = new ManagementServer(config.managementHost(), config.managementPort(), registry, checks,
                loops(), r -> { });
    }

    public static Future<DrainService> start(Vertx vertx, PrometheusMeterRegistry registry, DrainConfig config) {
        DrainService service = new DrainService(vertx, registry, config);
        return vertx.deployVerticle(service.management).onSuccess(id -> service.managementDeployment = id)
                .compose(v -> vertx.deployVerticle(service.worker)).onSuccess(id -> service.workerDeployment = id)
                .compose(v -> vertx.executeBlocking(() -> {
                    service.awaitRegistries();
                    service.tap.start();
                    return service;
                }, false));
    }

    private void awaitRegistries() throws InterruptedException {
        while (!(tokens.isCaughtUp() && drains.isCaughtUp() && cursors.isCaughtUp())) {
            Thread.sleep(20);
        }
    }

    public List<SupervisedLoop<?>> loops() {
        return List.of(tokenFollower.loop(), drainFollower.loop(), cursors.follower().loop(), tap.loop());
    }

    public boolean ready() {
        return loops().stream().allMatch(SupervisedLoop::ready) && tokens.isCaughtUp() && drains.isCaughtUp();
    }

    public int managementPort() {
        return management.actualPort();
    }

    /** Partitions of the logs topic this worker reads live now. */
    public int ownedPartitions() {
        return worker.ownedPartitions();
    }

    public TokenRegistry tokens() {
        return tokens;
    }

    public DrainRegistry drains() {
        return drains;
    }

    /** Stops once; later calls return the same future. */
    public synchronized Future<Void> stop() {
        if (stopped != null) {
            return stopped;
        }
        stopped = vertx.executeBlocking(() -> {
                    tap.close();
                    return null;
                }, false)
                .compose(v -> workerDeployment == null ? Future.succeededFuture() : vertx.undeploy(workerDeployment))
                .compose(v -> vertx.executeBlocking(() -> {
                    history.close();
                    cursors.close();
                    drainFollower.close();
                    tokenFollower.close();
                    return null;
                }, false))
                .compose(v -> managementDeployment == null ? Future.succeededFuture() : vertx.undeploy(managementDeployment))
                .onSuccess(v -> LOG.info("Drain worker stopped"));
        return stopped;
    }
}
