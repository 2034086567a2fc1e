package io.addonlogs.drain.delivery;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

import io.addonlogs.drain.format.DrainLine;
import io.addonlogs.drain.format.HttpFormat;
import io.addonlogs.drain.format.HttpPayload;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The HTTP drain types: one POST per delivery to the recipient's URL (its user info, if any, becomes Basic auth,
 * never part of the request line), formatted by the type's {@link HttpFormat}. A 2xx whose body the format accepts is
 * a delivery; anything else (another status, a timeout, a refused connection) fails it, with the status in the
 * drain's {@code lastError}.
 */
final class HttpRecipient implements Recipient {

    /**
     * Lines per request at most: within every vendor's documented request limits (Datadog takes at most 1,000
     * entries, New Relic 1 MB), and a request any logplex receiver takes.
     */
    static final int MAX_BATCH_LINES = 500;

    private final HttpClient client;
    private final String url;
    private final HttpFormat format;
    private final int timeoutMs;

    HttpRecipient(HttpClient client, URI uri, HttpFormat format, int timeoutMs) {
        this.client = client;
        this.url = withoutUserInfo(uri);
        this.format = format;
        this.timeoutMs = timeoutMs;
    }

    private static String withoutUserInfo(URI uri) {
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getRawPath().isEmpty() ? "/"
                    : uri.getPath(), uri.getQuery(), null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private RequestOptions options(HttpMethod method) {
        return new RequestOptions().setMethod(method).setAbsoluteURI(url).setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs).putHeader("User-Agent", "addon-logs-drain");
    }

    @Override
    public int maxBatchLines() {
        return MAX_BATCH_LINES;
    }

    @Override
    public Future<Void> send(List<DrainLine> lines, String batchId) {
        HttpPayload payload = format.payload(lines, batchId);
        RequestOptions options = options(HttpMethod.POST).putHeader("Content-Type", payload.contentType());
        payload.headers().forEach(options::putHeader);
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(payload.body())))
                .compose(response -> response.body().compose(body -> {
                    if (response.statusCode() / 100 != 2) {
                        return Future.failedFuture("HTTP " + response.statusCode() + " from the recipient");
                    }
                    String refused = format.rejection(body.getBytes());
                    return refused == null ? Future.succeededFuture() : Future.failedFuture(refused);
                }));
    }

    @Override
    public void close() {
        // the client is the worker's, shared by its HTTP drains
    }
}
