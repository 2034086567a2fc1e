package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The platform's own CLI, the npm package {@code clever-tools} (pinned) with the Node 22 it needs (the npm package
 * {@code node}), installed by npm under {@code target/clever-cli} on first use: nothing vendored, nothing patched.
 * Without npm the tests that use it are skipped, unless {@code CLI_TESTS=required} (set by {@code .ci/run}).
 */
final class CleverCli {

    static final String VERSION = "4.11.0";
    private static final Path PREFIX = Path.of("target", "clever-cli").toAbsolutePath();
    private static final Path BIN = PREFIX.resolve("node_modules/.bin");

    private final Path home;

    private CleverCli(Path home) {
        this.home = home;
    }

    /** The CLI, installed if it is not yet; {@code home} is its HOME (config and ids cache), fresh per test. */
    static synchronized CleverCli installed(Path home) throws IOException, InterruptedException {
        if (!isInstalled()) {
            install();
        }
        return new CleverCli(home);
    }

    private static boolean isInstalled() throws IOException {
        Path pkg = PREFIX.resolve("node_modules/clever-tools/package.json");
        return Files.isExecutable(BIN.resolve("node")) && Files.isExecutable(BIN.resolve("clever"))
                && Files.exists(pkg) && Files.readString(pkg).contains("\"version\": \"" + VERSION + "\"");
    }

    private static void install() throws IOException, InterruptedException {
        boolean required = "required".equals(System.getenv("CLI_TESTS"));
        boolean npm = new ProcessBuilder("bash", "-c", "command -v npm").start().waitFor() == 0;
        if (!npm && required) {
            fail("CLI_TESTS=required but npm is missing (apt-get install npm)");
        }
        assumeTrue(npm, "no npm: the platform's CLI cannot be installed, its tests are skipped");
        Files.createDirectories(PREFIX);
        Process process = new ProcessBuilder("npm", "install", "--prefix", PREFIX.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", "node@22", "clever-tools@" + VERSION)
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean done = process.waitFor(5, TimeUnit.MINUTES) && process.exitValue() == 0 && isInstalled();
        if (!done && required) {
            fail("npm could not install clever-tools@" + VERSION + " and node@22:\n" + out);
        }
        assumeTrue(done, "npm could not install the platform's CLI (offline?):\n" + out);
    }

    /** Starts {@code clever args...} with only these variables set beyond PATH and HOME. */
    Process start(Map<String, String> variables, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BIN.resolve("clever").toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("CLEVER_") || name.equals("API_HOST"));
        // node@22 first on the PATH: the CLI's shebang runs whatever `node` is found
        env.put("PATH", BIN + ":" + System.getenv("PATH"));
        env.put("HOME", home.toString());
        // the update check would only try to reach the internet (a detached child process; no outbound network here)
        env.put("NO_UPDATE_NOTIFIER", "1");
        env.putAll(variables);
        return builder.start();
    }

    /** Runs {@code clever args...} to its end (at most {@code seconds}); its exit code, stdout and stderr. */
    Result run(Map<String, String> variables, List<String> args, int seconds) throws IOException, InterruptedException {
        Process process = start(variables, args);
        process.getOutputStream().close();
        CompletableFuture<String> out = readAll(process.getInputStream());
        CompletableFuture<String> err = readAll(process.getErrorStream());
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("clever " + args + " did not end within " + seconds + " s");
        }
        return new Result(process.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        });
    }

    record Result(int exitCode, String stdout, String stderr) {
    }
}
