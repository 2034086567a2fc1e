package io.addonlogs.service.management;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.addonlogs.service.http.HeaderDeadline;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.kafka.SupervisedLoop;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The management port: {@code /health/live} (200 unless a supervised loop has failed for good, else 503: restart
 * the process), {@code /health/ready} (200 when every named check passes and every loop is running and caught up,
 * else 503 naming the failing ones), {@code /metrics} (Prometheus text), plus whatever routes the service adds (the
 * ingest's admin API). Both health bodies show each loop's {@link SupervisedLoop.Status}. A request that fails with
 * a status (a body too large, malformed) gets it in the JSON error shape and one log line.
 */
public final class ManagementServer extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);

    /** Paths that probes and scrapers use (deployment files are checked against these). */
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    public static final String METRICS_PATH = "/metrics";

    private final String host;
    private final int port;
    private final PrometheusMeterRegistry registry;
    private final Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
    private final Map<String, BooleanSupplier> liveness = new LinkedHashMap<>();
    private final List<SupervisedLoop<?>> loops;
    private final Consumer<Router> extraRoutes;
    private HttpServer server;

    public ManagementServer(String host, int port, PrometheusMeterRegistry registry, Map<String, BooleanSupplier> checks,
                            List<SupervisedLoop<?>> loops, Consumer<Router> extraRoutes) {
        this.host = host;
        this.port = port;
        this.registry = registry;
        this.readiness.putAll(checks);
        this.loops = List.copyOf(loops);
        for (SupervisedLoop<?> loop : loops) {
            readiness.put(loop.name(), loop::ready);
            liveness.put(loop.name(), loop::alive);
        }
        this.extraRoutes = extraRoutes;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get(LIVE_PATH).handler(ctx -> health(ctx, liveness));
        router.get(READY_PATH).handler(ctx -> health(ctx, readiness));
        router.get(METRICS_PATH).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        extraRoutes.accept(router);
        router.route().failureHandler(ManagementServer::failed);
        return HeaderDeadline.server(vertx, new HttpServerOptions().setHost(host).setPort(port),
                HeaderDeadline.MANAGEMENT_TIMEOUT_SECONDS, router).listen().onSuccess(s -> server = s);
    }

    /** 200 with every check UP, else 503; with each loop's status. */
    private void health(RoutingContext ctx, Map<String, BooleanSupplier> of) {
        JsonObject checks = new JsonObject();
        boolean up = true;
        for (Map.Entry<String, BooleanSupplier> check : of.entrySet()) {
            boolean ok = check.getValue().getAsBoolean();
            checks.put(check.getKey(), ok ? "UP" : "DOWN");
            up &= ok;
        }
        JsonObject loopStates = new JsonObject();
        loops.forEach(loop -> loopStates.put(loop.name(), loop.status().toString()));
        ctx.response().setStatusCode(up ? 200 : 503);
        ctx.json(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks).put("loops", loopStates));
    }

    /**
     * A client's mistake (a route failed with a 4xx status, e.g. BodyHandler's 413) is one log line and the JSON
     * error; anything else is a bug: logged with its stack trace, answered 500.
     */
    private static void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        String request = ctx.request().method() + " " + firstSegments(ctx.request().path());
        if (status >= 400 && status < 500) {
            String error = status == 413 ? "the request body is too large" : "the request is malformed";
            LOG.info("{} from {}: {}, {}", request, ctx.request().remoteAddress(), status, error);
            JsonError.send(ctx.response(), status, status == 413 ? "too_large" : "bad_request", error);
        } else {
            LOG.error("Failed to serve {}", request, ctx.failure());
            JsonError.send(ctx.response(), 500, "internal_error", "the request failed; see the service's log");
        }
    }

    /** At most the path's first two segments: {@code /admin/tokens/<token>} holds a token that must not be logged. */
    static String firstSegments(String path) {
        int cut = -1;
        for (int i = 0, slashes = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/' && ++slashes == 3) {
                cut = i;
                break;
            }
        }
        return cut < 0 ? path : path.substring(0, cut) + "/…";
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
