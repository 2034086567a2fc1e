package io.addonlogs.drain.delivery;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.addonlogs.drain.format.DrainLine;
import io.addonlogs.drain.format.SyslogFormat;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;

/**
 * SYSLOG_TCP and OVH_TCP: RFC 6587 octet-counted frames over one connection, TLS (RFC 5425) for {@code tcp+tls://}
 * with the recipient's name checked against its certificate. The connection is opened on the first delivery and
 * again after any error or close; a write that fails fails the delivery. Syslog has no acknowledgement: a line counts
 * as delivered once written to the connection, so lines a receiver had not read when it died are lost with it
 * (RELP, which acknowledges, is not among the platform's drain types).
 */
final class SyslogTcpRecipient implements Recipient {

    private final NetClient client;
    private final String host;
    private final int port;
    private final SyslogFormat format;
    private final int timeoutMs;
    private NetSocket socket;

    SyslogTcpRecipient(NetClient plain, NetClient tls, URI uri, SyslogFormat format, int timeoutMs) {
        this.client = uri.getScheme().toLowerCase().equals("tcp+tls") ? tls : plain;
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.format = format;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Future<Void> send(List<DrainLine> lines, String batchId) {
        Buffer frames = Buffer.buffer(format.frames(lines));
        return connected().compose(s -> s.write(frames)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .onFailure(e -> close());
    }

    private Future<NetSocket> connected() {
        if (socket != null) {
            return Future.succeededFuture(socket);
        }
        return client.connect(port, host, host).map(s -> {
            socket = s;
            s.closeHandler(v -> {
                if (socket == s) {
                    socket = null;
                }
            });
            s.exceptionHandler(e -> s.close());
            s.handler(b -> { }); // a syslog receiver sends nothing; read and drop whatever it does
            return s;
        });
    }

    @Override
    public void close() {
        NetSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }
}
