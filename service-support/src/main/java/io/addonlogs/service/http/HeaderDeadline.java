package io.addonlogs.service.http;

import java.util.HashMap;
import java.util.Map;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes a connection that does not deliver a request's complete headers within the deadline, counted from when
 * it opened or from the end of the previous response: a client trickling its headers a byte at a time (never idle
 * long enough for the idle timeout) cannot hold a connection. One instance per server (it is used from that
 * server's event loop only); {@link #server} wires it.
 */
public final class HeaderDeadline {

    /** What every management port allows: health probes and scrapes send their headers at once. */
    public static final int MANAGEMENT_TIMEOUT_SECONDS = 10;

    private final Vertx vertx;
    private final long timeoutMs;
    private final Map<HttpConnection, Long> timers = new HashMap<>();

    private HeaderDeadline(Vertx vertx, int timeoutSeconds) {
        this.vertx = vertx;
        this.timeoutMs = timeoutSeconds * 1000L;
    }

    /**
     * An HTTP/1.1 server with a header deadline. HTTP/1.1 only: with h2c detection on, Vert.x creates the connection
     * (and calls the connection handler that arms the deadline) only once the first bytes decide the protocol.
     */
    public static HttpServer server(Vertx vertx, HttpServerOptions options, int timeoutSeconds,
                                    Handler<HttpServerRequest> handler) {
        return server(vertx, options, timeoutSeconds, connection -> { }, handler);
    }

    /** The same, with {@code connected} also told of each new connection (after the deadline is armed). */
    public static HttpServer server(Vertx vertx, HttpServerOptions options, int timeoutSeconds,
                                    Handler<HttpConnection> connected, Handler<HttpServerRequest> handler) {
        HeaderDeadline deadline = new HeaderDeadline(vertx, timeoutSeconds);
        // no h2c; and no WebSocket compression: none of the services serves WebSockets, and with it Vert.x puts an
        // extension handler in every connection's pipeline that looks at each response write (an SSE viewer's too)
        return vertx.createHttpServer(options.setHttp2ClearTextEnabled(false)
                        .setPerFrameWebSocketCompressionSupported(false)
                        .setPerMessageWebSocketCompressionSupported(false))
                .connectionHandler(connection -> {
                    deadline.connected(connection);
                    connected.handle(connection);
                })
                .requestHandler(request -> {
                    deadline.requestStarted(request);
                    handler.handle(request);
                });
    }

    private void connected(HttpConnection connection) {
        arm(connection);
        connection.closeHandler(v -> disarm(connection));
    }

    /** Headers are in: no deadline while the request runs; a new one once its response has ended. */
    private void requestStarted(HttpServerRequest request) {
        HttpConnection connection = request.connection();
        disarm(connection);
        request.response().endHandler(v -> arm(connection));
    }

    private void arm(HttpConnection connection) {
        disarm(connection);
        timers.put(connection, vertx.setTimer(timeoutMs, id -> {
            timers.remove(connection);
            connection.close();
        }));
    }

    private void disarm(HttpConnection connection) {
        Long timer = timers.remove(connection);
        if (timer != null) {
            vertx.cancelTimer(timer);
        }
    }
}
