package io.addonlogs.deploy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.addonlogs.common.frame.OctetFrameDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * A syslog-over-TCP receiver on loopback, as a drain's recipient: splits each connection's bytes into RFC 6587
 * octet-counted frames ({@code LEN SP MSG}) with the ingest's own {@link OctetFrameDecoder} and hands every complete one to {@link Lines#line}, on its event loop. A
 * frame still incomplete when its connection ends (the sender died while writing it) is not a line: it is counted in
 * {@link #truncated()}. Any other malformed framing fails the receiver ({@link #framingErrors()}).
 */
final class SyslogTcpReceiver implements AutoCloseable {

    /** Where complete frames go; called on the receiver's event loop, one connection's frames in order. */
    @FunctionalInterface
    interface Lines {
        void line(int connection, String line);
    }

    /** Larger than any line a drain sends (the ingest's frame limit is 256 KiB). */
    private static final int MAX_FRAME_BYTES = 1 << 20;

    private final NetServer server;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger truncated = new AtomicInteger();
    private final AtomicInteger framingErrors = new AtomicInteger();

    SyslogTcpReceiver(Vertx vertx, Lines lines) {
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
        server.connectHandler(socket -> receive(socket, connections.incrementAndGet(), lines));
        server.listen().await();
    }

    private void receive(NetSocket socket, int connection, Lines lines) {
        OctetFrameDecoder decoder = new OctetFrameDecoder(MAX_FRAME_BYTES, (buf, offset, length, index, bodyOffset) ->
                lines.line(connection, new String(buf, offset, length, StandardCharsets.UTF_8)));
        socket.handler(chunk -> {
            if (!decoder.feed(chunk.getBytes())) {
                framingErrors.incrementAndGet();
                socket.close();
            }
        });
        socket.closeHandler(v -> {
            if (decoder.error() == null && !decoder.finish()) {
                truncated.incrementAndGet();
            }
        });
    }

    int port() {
        return server.actualPort();
    }

    String url() {
        return "tcp://127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    int connections() {
        return connections.get();
    }

    /** Frames cut short by the end of their connection. */
    int truncated() {
        return truncated.get();
    }

    int framingErrors() {
        return framingErrors.get();
    }

    @Override
    public void close() {
        server.close().await();
    }
}
