package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} package (which brings {@code promtool}) and {@code haproxy}, found on the PATH.
 * Without them the monitoring tests are skipped, unless {@code MONITORING_TESTS=required} (set by {@code .ci/run}),
 * where they fail.
 */
final class MonitoringTools {

    /** Where the shipped rules, their unit tests, the dashboard and the example scrape config live. */
    static final Path DIR = Path.of("").toAbsolutePath().getParent().resolve("deploy/monitoring");

    private MonitoringTools() {
    }

    /** The binary's path; skips (or, when required, fails) the test when it is not installed. */
    static Path require(String binary, String debianPackage) {
        Path found = null;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (Files.isExecutable(candidate)) {
                found = candidate;
                break;
            }
        }
        if (found == null && "required".equals(System.getenv("MONITORING_TESTS"))) {
            fail("MONITORING_TESTS=required but " + binary + " is missing (apt-get install " + debianPackage + ")");
        }
        assumeTrue(found != null, "no " + binary + " (Debian package " + debianPackage + "): monitoring test skipped");
        return found;
    }

    /** Runs a short command to its end (60 s at most) in {@link #DIR}; the exit code and everything it printed. */
    static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
        String out;
        try {
            out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not end within 60 s:\n" + out);
            }
        } finally {
            process.destroyForcibly();
        }
        return new Result(process.exitValue(), out);
    }

    record Result(int exit, String output) {
    }
}
