package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.service.http.ListenPort;

/**
 * One ingest, consumer or drain worker as operators run it: {@code java -jar} of the module's shaded jar in its own
 * JVM, configured by environment variables, on ports fixed for its whole life so that it can be stopped with SIGTERM
 * (or killed) and started again where the load balancer expects it (a rolling deploy).
 */
final class ServiceInstance implements AutoCloseable {

    enum Kind {
        INGEST("ingest", "log-ingest.jar", "INGEST", true),
        CONSUMER("consumer", "log-consumer.jar", "CONSUMER", true),
        /** The drain worker listens on its management port only. */
        DRAIN("drain", "log-drain.jar", "DRAIN", false);

        final String module;
        final String jar;
        final String prefix;
        final boolean publicPort;

        Kind(String module, String jar, String prefix, boolean publicPort) {
            this.module = module;
            this.jar = jar;
            this.prefix = prefix;
            this.publicPort = publicPort;
        }
    }

    /** Small and quick to start: six JVMs share two cores in these tests. */
    static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final Kind kind;
    final String name;
    /** The public port; -1 for a kind without one. */
    final int port;
    final int managementPort;
    private final Map<String, String> env;
    private final List<String> jvmOptions;
    private final Path log;
    private ChildProcess process;

    /** Picks the instance's ports; {@link #start()} runs it in a JVM with {@link #TEST_JVM}'s options. */
    ServiceInstance(Kind kind, String name, Map<String, String> settings, Path dir) {
        this(kind, name, settings, dir, TEST_JVM);
    }

    /** As above, with the JVM's options given (a benchmark runs the worker as production does). */
    ServiceInstance(Kind kind, String name, Map<String, String> settings, Path dir, List<String> jvmOptions) {
        this.kind = kind;
        this.name = name;
        this.port = kind.publicPort ? ListenPort.free("127.0.0.1") : -1;
        this.managementPort = ListenPort.free("127.0.0.1");
        this.env = new HashMap<>(settings);
        if (kind.publicPort) {
            env.put(kind.prefix + "_HOST", "127.0.0.1");
            env.put(kind.prefix + "_PORT", String.valueOf(port));
        }
        env.put(kind.prefix + "_MANAGEMENT_HOST", "127.0.0.1");
        env.put(kind.prefix + "_MANAGEMENT_PORT", String.valueOf(managementPort));
        this.jvmOptions = List.copyOf(jvmOptions);
        this.log = dir.resolve(name + ".log");
    }

    /**
     * The module's shaded jar, built by the reactor's {@code package} of that module (which runs before this module's
     * tests). Fails rather than run a jar older than the module's classes.
     */
    static Path jar(Kind kind) {
        Path module = Path.of("").toAbsolutePath().getParent().resolve(kind.module);
        Path jar = module.resolve("target").resolve(kind.jar);
        assertTrue(Files.isRegularFile(jar), jar + " is missing: build it first (mvn -o package -pl "
                + kind.module + " -am -DskipTests, or verify with -am)");
        try (Stream<Path> classes = Files.walk(module.resolve("target/classes"))) {
            FileTime newest = classes.map(ServiceInstance::modified).max(FileTime::compareTo).orElseThrow();
            assertTrue(modified(jar).compareTo(newest) >= 0, jar + " is older than " + kind.module
                    + "/target/classes: package it again");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }

    /** Starts the JVM and returns once {@code /health/ready} answers 200. */
    ServiceInstance start() throws IOException {
        launch();
        awaitReady();
        return this;
    }

    /** Starts the JVM without waiting (several start side by side, then {@link #awaitReady()} each). */
    void launch() throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar(kind).toString()));
        process = new ChildProcess(command, env, log);
    }

    void awaitReady() {
        awaitLong(() -> {
            assertTrue(process.isAlive(), name + " ended:\n" + process.output());
            return status(managementUrl() + "/health/ready") == 200;
        }, name + " ready");
    }

    /**
     * As {@code Await.until} with 120 s instead of 30: a JVM starting, or haproxy's checks counting it, next to five
     * other JVMs on a shared 2-core machine.
     */
    static void awaitLong(BooleanSupplier condition, String what) {
        Await.until(condition, what, Duration.ofSeconds(120));
    }

    /** SIGTERM, as an orchestrator stops it; returns once the JVM has ended by its shutdown hook (status 143). */
    void stop() {
        process.close();
        assertEquals(143, process.exitValue(), name + " ended by its shutdown hook:\n" + process.output());
    }

    /** SIGKILL, as a crash or the OOM killer ends it: no shutdown hook runs; returns once it is gone (status 137). */
    void kill() {
        process.kill();
        assertEquals(137, process.exitValue(), name + " killed");
    }

    /** The JVM's process id (for jcmd). */
    long pid() {
        return process.pid();
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    String output() {
        return process == null ? "" : process.output();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    /**
     * The sum of the samples of {@code series} (a metric name, or a name with an opening of its labels such as
     * {@code name{client_id="x"}}) on the {@code /metrics} page of {@code baseUrl}, leaving out per-topic series
     * unless asked for; fails when there is none.
     */
    static double metric(String baseUrl, String series) {
        String page = metricsPage(baseUrl);
        String prefix = series.endsWith("}") ? series.substring(0, series.length() - 1) : series;
        // Kafka's client metrics come per client and again per topic: the per-topic series would count twice
        boolean perTopic = series.contains("topic=");
        List<String> samples = page.lines().filter(l -> l.startsWith(prefix))
                .filter(l -> perTopic || !l.contains("topic=\"")).toList();
        assertTrue(!samples.isEmpty(), "no " + series + " at " + baseUrl);
        return samples.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The {@code /metrics} page of {@code baseUrl} (a management URL). */
    static String metricsPage(String baseUrl) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), baseUrl + "/metrics");
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("no /metrics at " + baseUrl, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // not listening (yet, or any more)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
