package io.addonlogs.service.management;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.addonlogs.service.http.HeaderDeadline;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The management port: {@code /health/live} (200 while the process runs), {@code /health/ready} (200 when every
 * named check passes, else 503 naming the failing ones), {@code /metrics} (Prometheus text), plus whatever routes
 * the service adds (the ingest's admin API).
 */
public final class ManagementServer extends VerticleBase {

    /** Paths that probes and scrapers use (deployment files are checked against these). */
    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    public static final String METRICS_PATH = "/metrics";

    private final String host;
    private final int port;
    private final PrometheusMeterRegistry registry;
    private final Map<String, BooleanSupplier> readiness = new LinkedHashMap<>();
    private final Consumer<Router> extraRoutes;
    private HttpServer server;

    public ManagementServer(String host, int port, PrometheusMeterRegistry registry, Map<String, BooleanSupplier> checks,
                            Consumer<Router> extraRoutes) {
        this.host = host;
        this.port = port;
        this.registry = registry;
        this.readiness.putAll(checks);
        this.extraRoutes = extraRoutes;
    }

    @Override
    public Future<?> start() {
        Router router = Router.router(vertx);
        router.get(LIVE_PATH).handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
        router.get(READY_PATH).handler(ctx -> {
            JsonObject checks = new JsonObject();
            boolean ready = true;
            for (Map.Entry<String, BooleanSupplier> check : readiness.entrySet()) {
                boolean ok = check.getValue().getAsBoolean();
                checks.put(check.getKey(), ok ? "UP" : "DOWN");
                ready &= ok;
            }
            ctx.response().setStatusCode(ready ? 200 : 503);
            ctx.json(new JsonObject().put("status", ready ? "UP" : "DOWN").put("checks", checks));
        });
        router.get(METRICS_PATH).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
        extraRoutes.accept(router);
        return HeaderDeadline.server(vertx, new HttpServerOptions().setHost(host).setPort(port),
                HeaderDeadline.MANAGEMENT_TIMEOUT_SECONDS, router).listen().onSuccess(s -> server = s);
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
