package io.addonlogs.service.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The port a service's HTTP verticles listen on. Vert.x shares a server among verticle instances that listen on the
 * same host and port, but gives each instance its own random port for port 0: so 0 ("any free port") is resolved
 * once, here, before they are deployed.
 */
public final class ListenPort {

    private ListenPort() {
    }

    /** {@code port} itself, or for 0 a port free on {@code host} now. */
    public static int resolve(String host, int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }
}
