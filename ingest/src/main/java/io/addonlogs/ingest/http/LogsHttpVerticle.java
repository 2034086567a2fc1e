package io.addonlogs.ingest.http;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import io.addonlogs.common.tokens.TokenRecord;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.ingest.kafka.KafkaLogPublisher;
import io.addonlogs.ingest.ratelimit.PartialFrameBudget;
import io.addonlogs.ingest.ratelimit.TokenRateLimiter;
import io.addonlogs.service.http.HeaderDeadline;
import io.addonlogs.service.http.JsonError;
import io.addonlogs.service.limits.PerKeyLimit;
import io.addonlogs.service.tokens.TokenRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;

/**
 * Serves {@code POST /logs}: checks the headers (auth, type, encoding, declared length, message count) and hands
 * the request to a {@link LogsRequest} that streams the body. No body handler: the body is never buffered whole.
 */
public final class LogsHttpVerticle extends VerticleBase {

    private static final String REALM = "Basic realm=\"logs\"";

    private final IngestConfig config;
    private final IngestLimits limits;
    private final TokenRegistry tokens;
    private final KafkaLogPublisher publisher;
    private final IngestMetrics metrics;
    private final TokenRateLimiter rateLimiter;
    private final PartialFrameBudget partials;
    private final PerKeyLimit requests;
    private final BooleanSupplier stopping;
    private final SocketAddress address;
    private HttpServer server;

    /**
     * {@code address}: where this instance listens (see {@code SharedPortServer}). The limiter,
     * budget and request counts are process-wide: shared by every instance of this verticle. {@code stopping}:
     * the service got SIGTERM and serves on for a while, unready, each connection closed after its next answer.
     */
    public LogsHttpVerticle(IngestConfig config, SocketAddress address, TokenRegistry tokens, KafkaLogPublisher publisher,
                            IngestMetrics metrics, TokenRateLimiter rateLimiter, PartialFrameBudget partials,
                            PerKeyLimit requests, BooleanSupplier stopping) {
        this.config = config;
        this.address = address;
        this.limits = IngestLimits.of(config);
        this.tokens = tokens;
        this.publisher = publisher;
        this.metrics = metrics;
        this.rateLimiter = rateLimiter;
        this.partials = partials;
        this.requests = requests;
        this.stopping = stopping;
    }

    @Override
    public Future<?> start() {
        HttpServerOptions options = new HttpServerOptions()
                .setIdleTimeout(config.idleTimeoutSeconds());
        if (config.tls()) {
            options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()));
        }
        return HeaderDeadline.server(vertx, options, config.headerTimeoutSeconds(), ConnectionGuard::install,
                        this::handle)
                .invalidRequestHandler(request -> {
                    ConnectionGuard guard = ConnectionGuard.of(request.connection());
                    if (guard != null && guard.refusing()) {
                        request.connection().close(); // bytes behind a refused request: not a request at all
                    } else {
                        HttpServerRequest.DEFAULT_INVALID_REQUEST_HANDLER.handle(request);
                    }
                })
                .listen(address).onSuccess(s -> server = s);
    }

    /** Stops accepting, lets in-flight requests finish (up to 30 s), then closes. */
    @Override
    public Future<?> stop() {
        return server == null ? Future.succeededFuture() : server.shutdown(Duration.ofSeconds(30));
    }

    public int actualPort() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest request) {
        ConnectionGuard guard = ConnectionGuard.of(request.connection());
        if (guard != null && guard.refusing()) {
            request.connection().close(); // parsed behind a request whose framing could not be trusted
            return;
        }
        if (stopping.getAsBoolean()) {
            // served as usual, but the client (or the load balancer) opens its next request elsewhere
            ConnectionGuard.closeAfterAnswer(request);
        }
        HttpFraming.Refusal refusal = HttpFraming.check(request);
        if (refusal != null) {
            refuseAndClose(request, refusal.status(), refusal.code(), refusal.error());
            return;
        }
        if (!"/logs".equals(request.path())) {
            reject(request, 404, "not_found", "no such endpoint: POST /logs is the only one");
            return;
        }
        if (request.method() != HttpMethod.POST) {
            request.response().putHeader("Allow", "POST");
            reject(request, 405, "method_not_allowed", "use POST");
            return;
        }
        Optional<String> token = BasicAuth.logToken(request.getHeader("Authorization"));
        if (token.isEmpty()) {
            request.response().putHeader("WWW-Authenticate", REALM);
            reject(request, 401, "unauthorized", "expected Basic auth with user 'token' and the log token as password");
            return;
        }
        Optional<TokenRecord> record = tokens.lookup(token.get());
        if (record.isEmpty() && !tokens.isCaughtUp()) {
            // just started, the registry not read to its end yet: the token may well exist. A load balancer that has
            // not seen this instance restart yet sends it requests before it is ready (RollingRestartTest).
            request.response().putHeader("Retry-After", String.valueOf(config.retryAfterSeconds()));
            reject(request, 503, "starting", "this instance is still loading the log tokens; retry later");
            return;
        }
        if (record.isEmpty()) {
            request.response().putHeader("WWW-Authenticate", REALM);
            reject(request, 401, "unauthorized", "unknown or revoked log token");
            return;
        }
        if (partials.exhausted()) {
            request.response().putHeader("Retry-After", String.valueOf(config.retryAfterSeconds()));
            reject(request, 503, "overloaded", "too many partial frames held on this instance (over "
                    + partials.cap() + " bytes); retry later");
            return;
        }
        TokenRateLimiter.Bucket bucket = rateLimiter.bucket(token.get());
        long retryAfter = bucket.retryAfterSeconds();
        if (retryAfter > 0) {
            request.response().putHeader("Retry-After", String.valueOf(retryAfter));
            reject(request, 429, "rate_limited", "this log token sends more than its rate limit (lines "
                    + config.tokenLinesPerSecond() + "/s, bytes " + config.tokenBytesPerSecond() + "/s); retry after "
                    + retryAfter + " s");
            return;
        }
        if (!isLogplex(request.getHeader("Content-Type"))) {
            reject(request, 415, "unsupported_media_type", "Content-Type must be application/logplex-1");
            return;
        }
        String encoding = request.getHeader("Content-Encoding");
        boolean gzip = encoding != null && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip"));
        if (encoding != null && !gzip && !encoding.equalsIgnoreCase("identity")) {
            reject(request, 415, "unsupported_encoding", "Content-Encoding must be gzip or absent");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && declaredTooLarge(length)) {
            refuseAndClose(request, 413, "body_too_large", "body exceeds " + config.maxBodyBytes() + " bytes");
            return;
        }
        Integer expectedCount;
        try {
            String count = request.getHeader("Logplex-Msg-Count");
            expectedCount = count == null ? null : Integer.valueOf(count.trim());
        } catch (NumberFormatException e) {
            reject(request, 400, "bad_msg_count", "Logplex-Msg-Count must be a whole number");
            return;
        }
        if (!requests.tryAcquire(token.get())) {
            request.response().putHeader("Retry-After", "1");
            reject(request, 429, "too_many_requests", "this log token already has " + requests.max()
                    + " requests in progress on this instance; retry when one has ended");
            return;
        }
        String tokenText = token.get();
        Caller caller = new Caller(tokenText, record.get().addonId(), bucket,
                () -> tokens.lookup(tokenText).isPresent(), () -> requests.release(tokenText));
        new LogsRequest(request, context, limits, publisher, metrics, partials, caller, expectedCount, gzip).start();
    }

    private boolean declaredTooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > config.maxBodyBytes();
        } catch (NumberFormatException e) {
            return false; // Vert.x itself rejects a malformed Content-Length
        }
    }

    static boolean isLogplex(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        return type.equals("application/logplex-1") || type.equals("application/x-logplex-1");
    }

    /**
     * Answers without reading the body, then closes the connection: what follows the headers is not read (nor
     * served: {@link ConnectionGuard#closeAfterAnswer}, whose close lingers so that the client reads this answer).
     */
    private void refuseAndClose(HttpServerRequest request, int status, String code, String error) {
        metrics.request(status, code);
        ConnectionGuard.closeAfterAnswer(request);
        request.exceptionHandler(e -> { }); // the client may hang up first: nothing is owed to it then
        JsonError.send(request.response(), status, code, error);
    }

    /**
     * Answers before reading the body, which is then read and dropped so the connection stays usable; a body
     * longer than the limit closes the connection instead.
     */
    private void reject(HttpServerRequest request, int status, String code, String error) {
        metrics.request(status, code);
        long[] discarded = {0};
        request.handler(chunk -> {
            discarded[0] += chunk.length();
            if (discarded[0] > config.maxBodyBytes()) {
                ConnectionGuard.refuseMore(request.connection()); // its answer is out: the close lingers
                request.connection().close();
            }
        });
        // the client may hang up while its body is dropped: nothing is owed to it then
        request.exceptionHandler(e -> { });
        JsonError.send(request.response(), status, code, error);
    }
}
