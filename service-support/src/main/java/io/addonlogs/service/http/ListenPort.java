package io.addonlogs.service.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port free now, for a process that must be told its port before it binds it (a test's rsyslog, HAProxy or
 * service process, the load tool's ingest). A port probed and closed can be taken before the process binds it; so it
 * is picked at random below the kernel's ephemeral range, where neither outgoing connections nor sockets bound to
 * port 0 take theirs. The services themselves bind port 0 directly ({@link SharedPortServer}).
 */
public final class ListenPort {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 100;

    private ListenPort() {
    }

    /** A port free on {@code host} now, outside the ephemeral range when there is room below it. */
    public static int free(String host) {
        int below = ephemeralLow();
        int attempts = below - LOWEST >= 1_000 ? ATTEMPTS : 0; // no room below the range: the kernel's pick
        for (int i = 0; i < attempts; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, below);
            if (bindable(host, port)) {
                return port;
            }
        }
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + host, e);
        }
    }

    private static boolean bindable(String host, int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(host)).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The ephemeral range's first port (Linux's default when the kernel does not say). */
    private static int ephemeralLow() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
