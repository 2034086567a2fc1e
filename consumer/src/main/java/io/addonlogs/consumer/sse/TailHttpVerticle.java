package io.addonlogs.consumer.sse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.consumer.TailConfig;
import io.addonlogs.consumer.auth.AddonAccess;
import io.addonlogs.consumer.auth.Viewer;
import io.addonlogs.consumer.auth.ViewerAuth;
import io.addonlogs.consumer.dashboard.DashboardRoutes;
import io.addonlogs.consumer.drains.DrainRoutes;
import io.addonlogs.consumer.history.HistoryReader;
import io.addonlogs.consumer.kafka.FanOutBatcher;
import io.addonlogs.consumer.kafka.LiveReader;
import io.addonlogs.consumer.platform.SummaryRoute;
import io.addonlogs.service.http.HeaderDeadline;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.limits.PerKeyLimit;
import io.addonlogs.service.tokens.Addon;
import io.addonlogs.service.tokens.TokenRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves {@code GET /v4/logs/organisations/{ownerId}/resources/{addonId}/logs} as Server-Sent Events, in the wire
 * format of the platform's existing clients, {@code GET /v2/summary}, through which they find an add-on's owner, and
 * the drains API ({@link DrainRoutes}).
 * Checks the viewer (401), its right to the add-on (403) and that the add-on, named by id or real id, belongs to
 * that owner (404) before a {@link TailStream} takes over.
 */
public final class TailHttpVerticle extends VerticleBase {

    public static final String PATH = "/v4/logs/organisations/:ownerId/resources/:addonId/logs";
    private static final Logger LOG = LoggerFactory.getLogger(TailHttpVerticle.class);
    private static final long PARTITION_CHECK_MS = 2_000;
    /** The query parameter naming the add-on's partition (CONSUMER_ROUTE_BY_PARTITION); otherwise ignored. */
    public static final String PARTITION_PARAM = "partition";
    /** Longer than a producer's metadata refresh (Kafka's default metadata.max.age.ms is 5 minutes). */
    static final Duration PRODUCER_METADATA_GRACE = Duration.ofMinutes(10);

    private final TailConfig config;
    private final SocketAddress address;
    private final TokenRegistry tokens;
    private final ViewerAuth auth;
    private final LiveReader<LiveBatch> live;
    private final HistoryReader history;
    private final TailMetrics metrics;
    private final Set<TailStream> streams = new HashSet<>();
    private final PerKeyLimit tails;
    private final DrainRoutes drains;
    private HttpServer server;

    /**
     * {@code address}: where this instance listens (see {@code SharedPortServer}); {@code tails}: the instance-wide
     * count of each viewer's tails, shared by every event loop's verticle.
     */
    public TailHttpVerticle(TailConfig config, SocketAddress address, TokenRegistry tokens, ViewerAuth auth,
                            LiveReader<LiveBatch> live, HistoryReader history, TailMetrics metrics, PerKeyLimit tails,
                            DrainRoutes drains) {
        this.config = config;
        this.address = address;
        this.tokens = tokens;
        this.auth = auth;
        this.live = live;
        this.history = history;
        this.metrics = metrics;
        this.tails = tails;
        this.drains = drains;
    }

    /** The live reader whose batches this verticle's streams take: each add-on's lines encoded once. */
    public static LiveReader<LiveBatch> liveReader(TailConfig config, MeterRegistry registry) {
        return new LiveReader<>(config.kafka(), config.logsTopic(), registry, new LiveEncoder(),
                new FanOutBatcher(config.fanOutHoldMillis(), config.fanOutMinViewers()));
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        DashboardRoutes.denyFraming(router);
        router.get(PATH).handler(this::tail);
        vertx.setPeriodic(PARTITION_CHECK_MS, id -> followPartitionCount());
        new SummaryRoute(tokens, auth).mount(router);
        drains.mount(router);
        DashboardRoutes.mount(router);
        router.route().handler(ctx -> JsonError.send(ctx.response(), 404, "not_found", "no such endpoint"));
        router.route().failureHandler(ctx -> {
            LOG.error("Failed to serve {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
            JsonError.send(ctx.response(), 500, "internal_error", "the request failed; see the consumer's log");
        });
        return HeaderDeadline.server(vertx, new HttpServerOptions()
                        .setSendBufferSize(config.sendBufferBytes()), config.headerTimeoutSeconds(), router)
                .listen(address).onSuccess(s -> server = s);
    }

    /** Ends every stream (clients reconnect elsewhere and resume by cursor), then closes the server. */
    @Override
    public Future<?> stop() {
        List.copyOf(streams).forEach(TailStream::shutdown);
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int actualPort() {
        return server.actualPort();
    }

    private void tail(RoutingContext ctx) {
        auth.withViewer(ctx, viewer -> tail(ctx, viewer));
    }

    /** The path names the add-on by id or real id; the stream itself always speaks of its id. */
    private void tail(RoutingContext ctx, Viewer viewer) {
        String ownerId = ctx.pathParam("ownerId");
        String named = ctx.pathParam("addonId");
        AddonAccess access = AddonAccess.check(viewer, tokens, ownerId, named);
        int partitionCount = live.partitionCount();
        if (access.addon() == null && (!tokens.isCaughtUp() || partitionCount == 0)) {
            // just started: the add-on may well exist (a load balancer may send viewers here before it is ready)
            ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
            JsonError.send(ctx.response(), 503, "starting", "this instance is still loading the add-ons; retry later");
            return;
        }
        if (access.forbidden()) {
            JsonError.send(ctx.response(), 403, "forbidden", "these credentials do not give access to this add-on");
            return;
        }
        Addon addon = access.addon();
        Set<Integer> partitions = addon == null ? Set.of() : partitionsOf(addon, partitionCount);
        if (partitions.isEmpty()) {
            JsonError.send(ctx.response(), 404, "not_found", "no add-on " + named + " for owner " + ownerId);
            return;
        }
        if (config.routeByPartition() && ctx.request().getParam(PARTITION_PARAM) == null) {
            // for a load balancer that hashes on the partition, so that each instance reads its share of them
            String query = ctx.request().query();
            ctx.response().setStatusCode(307).putHeader("Cache-Control", "no-store")
                    .putHeader("Location", ctx.request().path() + "?" + (query == null || query.isEmpty() ? ""
                            : query + "&") + PARTITION_PARAM + "=" + Collections.min(partitions)).end();
            return;
        }
        TailQuery query;
        try {
            query = TailQuery.parse(ctx.request());
        } catch (IllegalArgumentException e) {
            JsonError.send(ctx.response(), 400, "bad_request", e.getMessage());
            return;
        }
        if (!tails.tryAcquire(viewer.id())) {
            ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
            JsonError.send(ctx.response(), 429, "too_many_tails", "these credentials have " + config.maxTailsPerViewer()
                    + " tails open on this server already; close one");
            return;
        }
        boolean replays = query.resumeFrom() != null || query.since() != null || query.tail() != null;
        if (replays && !history.tryStartReplay()) {
            tails.release(viewer.id());
            ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
            JsonError.send(ctx.response(), 503, "history_busy", "this server replays " + config.maxReplays()
                    + " histories already; retry, or connect to another instance");
            return;
        }
        TailStream[] holder = new TailStream[1];
        holder[0] = new TailStream(ctx.response(), ctx.request().connection(), context, query, addon.id(), config, live,
                history, metrics, replays, viewer.id(), viewer.expiresAt(), partitionCount, () -> {
                    streams.remove(holder[0]);
                    tails.release(viewer.id());
                });
        streams.add(holder[0]);
        holder[0].start(partitions);
    }

    /**
     * The partitions holding the add-on's lines: those of its tokens' keys for this partition count, and for the
     * previous count too for {@link #PRODUCER_METADATA_GRACE} after partitions were added (an ingest's producer
     * moves a key only once its metadata is refreshed).
     */
    private Set<Integer> partitionsOf(Addon addon, int count) {
        Set<Integer> partitions = new TreeSet<>();
        int previous = live.previousPartitionCount(PRODUCER_METADATA_GRACE);
        for (String token : addon.tokens()) {
            byte[] key = token.getBytes(StandardCharsets.UTF_8);
            if (count > 0) {
                partitions.add(LogPartitions.of(key, count));
            }
            if (previous > 0) {
                partitions.add(LogPartitions.of(key, previous));
            }
        }
        return partitions;
    }

    /** Reopens (by closing: clients resume by cursor) the streams opened before the topic's partitions changed. */
    private void followPartitionCount() {
        int count = live.partitionCount();
        List.copyOf(streams).stream().filter(stream -> stream.partitionCount() != count).forEach(TailStream::shutdown);
    }
}
