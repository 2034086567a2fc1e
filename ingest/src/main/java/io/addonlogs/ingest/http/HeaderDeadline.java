package io.addonlogs.ingest.http;

import java.util.HashMap;
import java.util.Map;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes a connection that does not deliver a request's complete headers within the deadline, counted from when
 * it opened or from the end of the previous response: a client trickling its headers a byte at a time (never idle
 * long enough for the idle timeout) cannot hold a connection. Used from one server's event loop only.
 */
final class HeaderDeadline {

    private final Vertx vertx;
    private final long timeoutMs;
    private final Map<HttpConnection, Long> timers = new HashMap<>();

    HeaderDeadline(Vertx vertx, int timeoutSeconds) {
        this.vertx = vertx;
        this.timeoutMs = timeoutSeconds * 1000L;
    }

    void connected(HttpConnection connection) {
        arm(connection);
        connection.closeHandler(v -> disarm(connection));
    }

    /** Headers are in: no deadline while the request runs; a new one once its response has ended. */
    void requestStarted(HttpServerRequest request) {
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
