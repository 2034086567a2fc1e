package io.addonlogs.drain;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd (Debian's package), started with a generated configuration on loopback: one listener (TCP with
 * RFC 6587 octet counting, TCP with TLS per RFC 5425 using a test CA, or UDP) writing each message exactly as received
 * ({@code %rawmsg%}) as one line of a file the test reads. Without rsyslogd the test is skipped, except under
 * {@code .ci/run} ({@code RSYSLOG_TESTS=required}).
 */
public final class Rsyslog implements AutoCloseable {

    public enum Mode { TCP, TLS, UDP }

    private final Path dir;
    private final Path output;
    private final int port;
    private final Mode mode;
    private boolean receiveTimes;
    private Process process;

    private Rsyslog(Path dir, int port, Mode mode) {
        this.dir = dir;
        this.mode = mode;
        this.output = dir.resolve("received.log");
        this.port = port;
    }

    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/sbin/rsyslogd"));
    }

    /** Starts rsyslogd listening on {@code port} of 127.0.0.1; {@code tls} is needed for {@link Mode#TLS}. */
    public static Rsyslog start(Mode mode, int port, TestCa tls) throws IOException, InterruptedException {
        return start(mode, port, tls, false);
    }

    /**
     * As {@link #start(Mode, int, TestCa)}; with {@code receiveTimes}, each line of the file starts with the time
     * rsyslog received the message (RFC 3339, microseconds) and a space, for latency measurements.
     */
    public static Rsyslog start(Mode mode, int port, TestCa tls, boolean receiveTimes)
            throws IOException, InterruptedException {
        boolean required = "required".equals(System.getenv("RSYSLOG_TESTS"));
        if (!installed() && required) {
            throw new IllegalStateException("RSYSLOG_TESTS=required but rsyslogd is missing (apt-get install rsyslog rsyslog-gnutls)");
        }
        assumeTrue(installed(), "no rsyslogd: apt-get install rsyslog rsyslog-gnutls");
        Rsyslog rsyslog = new Rsyslog(Files.createTempDirectory("rsyslog-"), port, mode);
        rsyslog.receiveTimes = receiveTimes;
        Files.writeString(rsyslog.dir.resolve("rsyslog.conf"), rsyslog.config(mode, tls));
        rsyslog.start();
        return rsyslog;
    }

    private String config(Mode mode, TestCa tls) {
        List<String> lines = new ArrayList<>();
        lines.add("global(workDirectory=\"" + dir + "\" maxMessageSize=\"64k\""
                + (mode == Mode.TLS ? " defaultNetstreamDriverCAFile=\"" + tls.caPem() + "\" defaultNetstreamDriverCertFile=\""
                + tls.serverCertPem() + "\" defaultNetstreamDriverKeyFile=\"" + tls.serverKeyPem() + "\"" : "") + ")");
        lines.add("template(name=\"raw\" type=\"string\" string=\""
                + (receiveTimes ? "%timegenerated:::date-rfc3339% " : "") + "%rawmsg%\\n\")");
        switch (mode) {
            case TCP -> {
                lines.add("module(load=\"imtcp\")");
                lines.add("input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + port + "\" ruleset=\"out\")");
            }
            case TLS -> {
                lines.add("module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" "
                        + "streamDriver.authMode=\"anon\")");
                lines.add("input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + port + "\" ruleset=\"out\")");
            }
            case UDP -> {
                lines.add("module(load=\"imudp\")");
                lines.add("input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + port + "\" ruleset=\"out\")");
            }
        }
        lines.add("ruleset(name=\"out\") { action(type=\"omfile\" file=\"" + output + "\" template=\"raw\" "
                + "flushOnTXEnd=\"on\" asyncWriting=\"off\") }");
        return String.join("\n", lines) + "\n";
    }

    private void start() throws IOException, InterruptedException {
        process = new ProcessBuilder("/usr/sbin/rsyslogd", "-n", "-f", dir.resolve("rsyslog.conf").toString(),
                "-i", dir.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!listening()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("rsyslogd did not start: " + Files.readString(dir.resolve("rsyslogd.out")));
            }
            Thread.sleep(50);
        }
    }

    /** Started (its pid file written) and, for TCP, accepting on the port; UDP cannot be asked. */
    private boolean listening() throws InterruptedException {
        if (!Files.exists(dir.resolve("rsyslogd.pid"))) {
            return false;
        }
        if (mode == Mode.UDP) {
            Thread.sleep(300);
            return true;
        }
        try {
            new java.net.Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The file rsyslog writes (one message per line). */
    /** CPU time rsyslogd has used so far. */
    public long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
    }

    public Path output() {
        return output;
    }

    public int port() {
        return port;
    }

    /** The messages received so far, one per line, as bytes decoded as UTF-8. */
    public List<String> received() {
        try {
            if (!Files.exists(output)) {
                return List.of();
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            List<String> lines = List.of(text.split("\n", -1));
            return lines.subList(0, lines.size() - 1); // the text ends with a newline (or is empty)
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Kills it as a crash would (SIGKILL). */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port and file (it appends). */
    public void restart() throws IOException, InterruptedException {
        Files.deleteIfExists(dir.resolve("rsyslogd.pid"));
        start();
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
