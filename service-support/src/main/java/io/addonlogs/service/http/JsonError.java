package io.addonlogs.service.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The one error shape of both services: {@code {"code": "...", "error": "..."}} plus optional detail fields, with
 * {@code Content-Type: application/json}. Messages never contain a log token.
 */
public final class JsonError {

    private JsonError() {
    }

    public static JsonObject body(String code, String error) {
        return new JsonObject().put("code", code).put("error", error);
    }

    public static Future<Void> send(HttpServerResponse response, int status, String code, String error) {
        return send(response, status, body(code, error));
    }

    public static Future<Void> send(HttpServerResponse response, int status, JsonObject body) {
        if (response.ended() || response.closed()) {
            return Future.succeededFuture();
        }
        return response.setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }
}
