package io.addonlogs.consumer.drains;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import io.addonlogs.common.drains.DrainRecipient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * {@code POST .../drains/{id}/check}: reaches the recipient without delivering a line. Syslog over TCP: connects (and
 * completes the TLS handshake, checking the name in the certificate); UDP cannot be probed (it says so); HTTP: an
 * {@code OPTIONS} request with the drain's Basic auth, where 401/403 means the credentials were refused and 5xx or no
 * answer a failure. The answer is {@code {"ok", "message"}}, as the CLI prints it.
 */
final class RecipientProbe {

    private static final int TIMEOUT_MS = 5000;

    private final NetClient plain;
    private final NetClient tls;
    private final HttpClient http;

    RecipientProbe(Vertx vertx, String tlsTrustPem) {
        NetClientOptions tlsOptions = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                .setConnectTimeout(TIMEOUT_MS);
        HttpClientOptions httpOptions = new HttpClientOptions().setConnectTimeout(TIMEOUT_MS).setVerifyHost(true);
        if (tlsTrustPem != null) {
            tlsOptions.setTrustOptions(new PemTrustOptions().addCertPath(tlsTrustPem));
            httpOptions.setTrustOptions(new PemTrustOptions().addCertPath(tlsTrustPem));
        }
        this.plain = vertx.createNetClient(new NetClientOptions().setConnectTimeout(TIMEOUT_MS));
        this.tls = vertx.createNetClient(tlsOptions);
        this.http = vertx.createHttpClient(httpOptions);
    }

    /** A message saying what was reached, or a failure saying why not. */
    Future<String> probe(DrainRecipient r) {
        URI uri = r.uri();
        String scheme = uri.getScheme().toLowerCase();
        String where = uri.getHost() + ":" + uri.getPort();
        return switch (scheme) {
            case "tcp", "tcp+tls" -> (scheme.equals("tcp") ? plain : tls).connect(uri.getPort(), uri.getHost(), uri.getHost())
                    .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .compose(socket -> socket.close().map("connected to " + where
                            + (scheme.equals("tcp+tls") ? " over TLS, certificate accepted" : "")));
            case "udp" -> Future.succeededFuture("UDP has no handshake: lines will be sent to " + where
                    + ", nothing tells whether a receiver listens");
            default -> http(r);
        };
    }

    private Future<String> http(DrainRecipient r) {
        URI uri = r.uri();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.OPTIONS).setAbsoluteURI(r.url().reveal()
                .replace(uri.getRawUserInfo() == null ? "\u0000" : uri.getRawUserInfo() + "@", ""))
                .setConnectTimeout(TIMEOUT_MS).setIdleTimeout(TIMEOUT_MS);
        if (r.username() != null || r.password() != null) {
            String pair = (r.username() == null ? "" : r.username()) + ":"
                    + (r.password() == null ? "" : r.password().reveal());
            options.putHeader("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return http.request(options).compose(request -> request.send()).compose(response -> response.body()
                .compose(body -> {
                    int status = response.statusCode();
                    if (status == 401 || status == 403) {
                        return Future.failedFuture("the recipient refused the credentials (HTTP " + status + ")");
                    }
                    if (status >= 500) {
                        return Future.failedFuture("the recipient failed (HTTP " + status + ")");
                    }
                    return Future.succeededFuture("the recipient answered HTTP " + status);
                }));
    }

    void close() {
        plain.close();
        tls.close();
        http.close();
    }
}
