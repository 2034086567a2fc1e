package io.addonlogs.consumer.dashboard;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The reference dashboard page: static files from the jar under {@code /dashboard/}, a client of the public SSE
 * endpoint like any other. {@code /} and {@code /dashboard} redirect to it, keeping the query
 * ({@code ?owner=…&addon=…}).
 */
public final class DashboardRoutes {

    public static final String PATH = "/dashboard/";
    private static final String WEB_ROOT = "addon-logs-dashboard";
    /**
     * Same-origin scripts, styles and fetches only, none inline (the page keeps them in files), and no framing: a
     * page that shows logs must not be overlaid by another site (clickjacking).
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    /** What every other answer (SSE, JSON) carries: it is never meant to be framed either. */
    private static final String NO_FRAMING_POLICY = "frame-ancestors 'none'";

    private DashboardRoutes() {
    }

    /**
     * No answer of this router may be framed by another page ({@code X-Frame-Options} for browsers that predate
     * {@code frame-ancestors}); mounted first, so that it covers every route.
     */
    public static void denyFraming(Router router) {
        router.route().handler(ctx -> {
            ctx.response().putHeader("Content-Security-Policy", NO_FRAMING_POLICY)
                    .putHeader("X-Frame-Options", "DENY");
            ctx.next();
        });
    }

    public static void mount(Router router) {
        router.get("/").handler(DashboardRoutes::redirect);
        router.get(PATH + "*")
                .handler(ctx -> {
                    if (!ctx.request().path().startsWith(PATH)) {
                        redirect(ctx); // "/dashboard": relative links need the trailing slash
                        return;
                    }
                    ctx.response().putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                            .putHeader("X-Frame-Options", "DENY")
                            .putHeader("X-Content-Type-Options", "nosniff")
                            .putHeader("Referrer-Policy", "no-referrer")
                            // small files; an upgraded consumer must never meet a stale page
                            .putHeader("Cache-Control", "no-cache");
                    ctx.next();
                })
                .handler(StaticHandler.create(WEB_ROOT).setIndexPage("index.html").setDirectoryListing(false)
                        .setCachingEnabled(false));
    }

    private static void redirect(RoutingContext ctx) {
        String query = ctx.request().query();
        ctx.redirect(query == null ? PATH : PATH + "?" + query);
    }
}
