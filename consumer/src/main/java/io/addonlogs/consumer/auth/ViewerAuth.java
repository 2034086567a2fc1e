package io.addonlogs.consumer.auth;

import java.util.function.Consumer;

import io.addonlogs.consumer.TailConfig;
import io.addonlogs.service.http.JsonError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Who is calling: a viewer JWT signed with {@code VIEWER_JWT_SECRET} is checked here; any other credentials go to
 * the platform's sign-in ({@code VIEWER_AUTH_URL}) when one is configured. A JWT signed with our key decides alone
 * (an expired one is 401, never sent on). Missing or refused credentials are 401, and so is a token in the URL
 * query, whatever the header says; a sign-in that cannot answer is 503 with {@code Retry-After} (fail closed).
 */
public final class ViewerAuth {

    /** The viewer, or why not. */
    public sealed interface Result permits Allowed, Denied, Unavailable {
    }

    public record Allowed(Viewer viewer) implements Result {
    }

    /** 401. */
    public record Denied(String reason) implements Result {
    }

    /** 503: the platform's sign-in is down or answered nonsense. */
    public record Unavailable(String reason) implements Result {
    }


    private final JwtViewers jwts;
    private final PlatformSignIn platform;

    ViewerAuth(JwtViewers jwts, PlatformSignIn platform) {
        this.jwts = jwts;
        this.platform = platform;
    }

    public static ViewerAuth create(Vertx vertx, TailConfig config) {
        return new ViewerAuth(config.jwtSecret() == null ? null : new JwtViewers(config.jwtSecret()),
                config.authUrl() == null ? null : new PlatformSignIn(vertx, config.authUrl(), config.authTimeoutMs(),
                        config.authCacheSeconds(), config.authCacheEntries()));
    }

    /** Authenticates the caller, then runs {@code then} with the viewer; or answers 401 / 503 itself. */
    public void withViewer(RoutingContext ctx, Consumer<Viewer> then) {
        String inQuery = ViewerCredentials.tokenInQuery(ctx.request());
        Future<Result> verdict = inQuery != null
                ? Future.succeededFuture(new Denied("tokens are not accepted in the URL query (" + inQuery
                        + "): proxies and logs keep it; send Authorization: Bearer"))
                : authenticate(ViewerCredentials.of(ctx.request()));
        verdict.onComplete(done -> {
            Result result = done.succeeded() ? done.result() : new Unavailable("sign-in failed");
            if (ctx.response().closed() || ctx.response().ended()) {
                return;
            }
            if (result instanceof Allowed allowed) {
                then.accept(allowed.viewer());
            } else if (result instanceof Denied denied) {
                ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"logs\"");
                JsonError.send(ctx.response(), 401, "unauthorized", denied.reason());
            } else if (result instanceof Unavailable unavailable) {
                ctx.response().putHeader("Retry-After", String.valueOf(TailConfig.RETRY_AFTER_SECONDS));
                JsonError.send(ctx.response(), 503, "auth_unavailable", unavailable.reason());
            }
        });
    }

    Future<Result> authenticate(ViewerCredentials credentials) {
        if (credentials == null || credentials.token().isEmpty()) {
            return Future.succeededFuture(new Denied(
                    "missing viewer credentials (Authorization: Bearer or OAuth)"));
        }
        String notOurs = "viewer tokens are not accepted here";
        if (jwts != null) {
            JwtViewers.Verdict verdict = jwts.verify(credentials.token());
            if (verdict instanceof JwtViewers.Valid valid) {
                return Future.succeededFuture(new Allowed(valid.viewer()));
            }
            if (verdict instanceof JwtViewers.Invalid invalid) {
                return Future.succeededFuture(new Denied(invalid.reason()));
            }
            notOurs = ((JwtViewers.NotOurs) verdict).reason();
        }
        return platform == null ? Future.succeededFuture(new Denied(notOurs)) : platform.signIn(credentials.authorization());
    }

    public void close() {
        if (platform != null) {
            platform.close();
        }
    }
}
