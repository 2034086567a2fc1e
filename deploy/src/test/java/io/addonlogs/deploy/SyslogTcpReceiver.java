package io.addonlogs.deploy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

/**
 * A syslog-over-TCP receiver on loopback, as a drain's recipient: splits each connection's bytes into RFC 6587
 * octet-counted frames ({@code LEN SP MSG}) and hands every complete one to {@link Lines#line}, on its event loop. A
 * frame still incomplete when its connection ends (the sender died while writing it) is not a line: it is counted in
 * {@link #truncated()}. Any other malformed framing fails the receiver ({@link #framingErrors()}).
 */
final class SyslogTcpReceiver implements AutoCloseable {

    /** Where complete frames go; called on the receiver's event loop, one connection's frames in order. */
    @FunctionalInterface
    interface Lines {
        void line(int connection, String line);
    }

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
        Buffer[] pending = {Buffer.buffer()};
        socket.handler(chunk -> {
            Buffer buffer = pending[0].appendBuffer(chunk);
            int at = 0;
            while (true) {
                int space = indexOfSpace(buffer, at);
                if (space < 0) {
                    if (buffer.length() - at > 10) {
                        framingErrors.incrementAndGet(); // no LEN SP within the ten digits an int has
                        socket.close();
                        return;
                    }
                    break;
                }
                int length;
                try {
                    length = Integer.parseInt(buffer.getString(at, space, StandardCharsets.US_ASCII.name()));
                } catch (NumberFormatException e) {
                    framingErrors.incrementAndGet();
                    socket.close();
                    return;
                }
                if (buffer.length() - space - 1 < length) {
                    break;
                }
                lines.line(connection, buffer.getString(space + 1, space + 1 + length, StandardCharsets.UTF_8.name()));
                at = space + 1 + length;
            }
            pending[0] = at == 0 ? buffer : buffer.getBuffer(at, buffer.length());
        });
        socket.closeHandler(v -> {
            if (pending[0].length() > 0) {
                truncated.incrementAndGet();
            }
        });
    }

    /** The first space from {@code from} within the length digits (at most 10 of them), or -1. */
    private static int indexOfSpace(Buffer buffer, int from) {
        for (int i = from; i < buffer.length() && i <= from + 10; i++) {
            if (buffer.getByte(i) == ' ') {
                return i;
            }
        }
        return -1;
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
