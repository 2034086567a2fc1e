package io.addonlogs.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server the test starts (Prometheus, HAProxy), its output in a log file, and stopped whatever happens: by
 * {@link #close()}, or by a shutdown hook if the test JVM ends first.
 */
final class ChildProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final Thread reaper;

    ChildProcess(List<String> command, Path log) throws IOException {
        this.log = log;
        this.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        this.reaper = new Thread(process::destroyForcibly, "kill-" + Path.of(command.get(0)).getFileName());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What it printed so far, for failure messages. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 10 s; returns once the process is gone (SIGKILL at once if interrupted). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook runs anyway and finds the process gone
        }
    }
}
