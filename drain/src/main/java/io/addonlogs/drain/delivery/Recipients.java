package io.addonlogs.drain.delivery;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.drain.DrainConfig;
import io.addonlogs.drain.format.HttpFormat;
import io.addonlogs.drain.format.SyslogFormat;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * The worker's network clients, shared by its drains (one TCP client, one with TLS, one UDP socket, one HTTP client),
 * and the {@link Recipient} of a drain. TLS trusts the JVM's CAs, or only those of {@code DRAIN_TLS_TRUST_PEM}.
 */
public final class Recipients {

    private final NetClient plain;
    private final NetClient tls;
    private final DatagramSocket udp;
    private final HttpClient http;
    private final DrainConfig config;

    public Recipients(Vertx vertx, DrainConfig config) {
        this.config = config;
        NetClientOptions tlsOptions = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                .setConnectTimeout(config.timeoutMs());
        HttpClientOptions httpOptions = new HttpClientOptions().setConnectTimeout(config.timeoutMs())
                .setVerifyHost(true);
        if (config.tlsTrustPem() != null) {
            tlsOptions.setTrustOptions(new PemTrustOptions().addCertPath(config.tlsTrustPem()));
            httpOptions.setTrustOptions(new PemTrustOptions().addCertPath(config.tlsTrustPem()));
        }
        this.plain = vertx.createNetClient(new NetClientOptions().setConnectTimeout(config.timeoutMs()));
        this.tls = vertx.createNetClient(tlsOptions);
        this.udp = vertx.createDatagramSocket();
        // drains of many add-ons often share a vendor's host, each with one delivery in flight: enough connections per
        // host that a few slow drains (each holding one until DRAIN_TIMEOUT_MS) do not queue the others behind them
        this.http = vertx.createHttpClient(httpOptions, new PoolOptions().setHttp1MaxSize(256));
    }

    public Recipient of(DrainDefinition drain) {
        DrainRecipient r = drain.recipient();
        return switch (r.type()) {
            case SYSLOG_TCP, OVH_TCP -> new SyslogTcpRecipient(plain, tls, r.uri(), new SyslogFormat(r),
                    config.timeoutMs());
            case SYSLOG_UDP -> new SyslogUdpRecipient(udp, r.uri(), new SyslogFormat(r), config.udpMaxBytes(),
                    config.timeoutMs());
            case RAW_HTTP, ELASTICSEARCH, DATADOG, NEWRELIC, BETTERSTACK -> new HttpRecipient(http, r.uri(),
                    HttpFormat.of(drain), config.timeoutMs());
        };
    }

    public Future<Void> close() {
        return Future.all(plain.close(), tls.close(), udp.close(), http.close()).mapEmpty();
    }
}
