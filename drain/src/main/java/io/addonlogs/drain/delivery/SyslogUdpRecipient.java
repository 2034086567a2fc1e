package io.addonlogs.drain.delivery;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.addonlogs.drain.format.DrainLine;
import io.addonlogs.drain.format.SyslogFormat;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;

/**
 * SYSLOG_UDP: one line per datagram (RFC 5426), cut to {@code DRAIN_UDP_MAX_BYTES}. UDP says nothing of arrival: a
 * line counts as delivered once sent, so a receiver that is down loses what was sent meanwhile (only an error the
 * local stack reports, such as an unreachable network, fails a delivery).
 */
final class SyslogUdpRecipient implements Recipient {

    private final DatagramSocket socket;
    private final String host;
    private final int port;
    private final SyslogFormat format;
    private final int maxBytes;
    private final int timeoutMs;

    SyslogUdpRecipient(DatagramSocket socket, URI uri, SyslogFormat format, int maxBytes, int timeoutMs) {
        this.socket = socket;
        this.host = uri.getHost();
        this.port = uri.getPort();
        this.format = format;
        this.maxBytes = maxBytes;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Future<Void> send(List<DrainLine> lines, String batchId) {
        Future<Void> sent = Future.succeededFuture();
        for (DrainLine line : lines) {
            Buffer datagram = Buffer.buffer(format.datagram(line, maxBytes));
            sent = sent.compose(v -> socket.send(datagram, port, host));
        }
        return sent.timeout(timeoutMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        // the socket is the worker's, shared by its UDP drains
    }
}
