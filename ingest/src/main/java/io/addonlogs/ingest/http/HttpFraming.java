package io.addonlogs.ingest.http;

import java.util.List;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * The message-framing rules of RFC 9112 that Netty and Vert.x leave to the application: the only transfer coding
 * accepted is {@code chunked} alone (anything else, even with a Content-Length, is 501: a server that read such a
 * body by its length would take what follows for a new request), and an HTTP/1.1 request has exactly one Host
 * (else 400). Vert.x itself already answers 400, before any handler, to Transfer-Encoding together with
 * Content-Length when the coding ends in chunked, and to two Transfer-Encoding fields.
 */
final class HttpFraming {

    /** Why a request cannot be read safely: status, code and message of the answer. */
    record Refusal(int status, String code, String error) {
    }

    private HttpFraming() {
    }

    /** The refusal for this request's framing, or null when it can be read. */
    static Refusal check(HttpServerRequest request) {
        List<String> codings = request.headers().getAll("Transfer-Encoding");
        if (!codings.isEmpty() && (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked"))) {
            return new Refusal(501, "unsupported_transfer_encoding",
                    "Transfer-Encoding must be chunked (alone) or absent");
        }
        if (request.version() == HttpVersion.HTTP_1_1 && request.headers().getAll("Host").size() != 1) {
            return new Refusal(400, "missing_host", "an HTTP/1.1 request needs exactly one Host header");
        }
        return null;
    }
}
