package io.addonlogs.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        this(command, Map.of(), log);
    }

    /** With {@code env} added to this JVM's environment; the output is appended to {@code log} (restarts share it). */
    ChildProcess(List<String> command, Map<String, String> env, Path log) throws IOException {
        this.log = log;
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        this.process = builder.start();
        this.reaper = new Thread(process::destroyForcibly, "kill-" + Path.of(command.get(0)).getFileName());
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit status; only once it has ended. */
    int exitValue() {
        return process.exitValue();
    }

    /** What it printed so far, for failure messages. */
    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** SIGKILL at once; returns once the process is gone. */
    void kill() {
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + log.getFileName(), e);
        } finally {
            removeReaper();
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
        removeReaper();
    }

    private void removeReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook runs anyway and finds the process gone
        }
    }
}
