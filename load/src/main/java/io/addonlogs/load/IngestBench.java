package io.addonlogs.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.addonlogs.deploy.AdminTokens;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestMain;
import io.addonlogs.kafka.embedded.EmbeddedKafkaBroker;
import io.addonlogs.service.http.ListenPort;

/**
 * The ingest throughput benchmark with the reference load, in one command:
 * {@code java [-Dingest.jvm="flags"] [-Dingest.warmup=30] -cp load/target/log-load.jar io.addonlogs.load.IngestBench
 * [seconds] [connections,...] [name:SETTING=value,...;name:...]}; a variant's {@code JVM=flags} are JVM flags of
 * its own, after the common ones (a later {@code -Xmx} wins).
 * It starts a single Kafka broker in this JVM, then for each producer-settings variant an ingest as a child JVM
 * (its own CPU and memory, read from /proc), provisions one token, writes the reference body (100 varied lines of
 * 200 bytes, {@code load/bench/make_body.py}), runs {@code wrk -t2} with {@code load/bench/post.lua} at each
 * connection count, and runs Kafka's ProducerPerformance with the same settings on the very same lines. Prints one
 * table: lines/s, POST latency, the ratio to ProducerPerformance, the ingest's CPU seconds and RSS. Needs
 * {@code wrk} and {@code python3}; every process is local (127.0.0.1) and ends with the run.
 */
public final class IngestBench {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern PCT = Pattern.compile("^\\s+(50|99)%\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final int LINES = 100;
    private static final String ADMIN = "bench-admin-token-0123456789abcdef";
    /** The image's JVM flags for the ingest (run from the repository's root). */
    private static final Path IMAGE_JVM = Path.of("deploy", "docker", "ingest.jvm");
    /** {@code -Dingest.warmup=seconds}: load before each variant's measured rows (default 30). */
    private static final int WARMUP_SECONDS = Integer.getInteger("ingest.warmup", 30);

    private IngestBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        List<Integer> connections = new ArrayList<>();
        for (String c : (args.length > 1 ? args[1] : "16,64,256").split(",")) {
            connections.add(Integer.parseInt(c.trim()));
        }
        // variant = name:KEY=VALUE,KEY=VALUE (ingest settings); the first is the baseline of the comparison
        String spec = args.length > 2 ? args[2]
                : "linger1:INGEST_PRODUCER_LINGER_MS=1;linger5:INGEST_PRODUCER_LINGER_MS=5;linger0:INGEST_PRODUCER_LINGER_MS=0";
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        for (String variant : spec.split(";")) {
            String[] nameAndSettings = variant.split(":", 2);
            Map<String, String> settings = new HashMap<>();
            if (nameAndSettings.length > 1) {
                for (String kv : nameAndSettings[1].split(",")) {
                    String[] pair = kv.split("=", 2);
                    settings.put(pair[0].trim(), pair[1].trim());
                }
            }
            variants.put(nameAndSettings[0], settings);
        }
        // the image's JVM flags and malloc arenas unless told otherwise (a variant's own flags come after them)
        List<String> jvmFlags = List.of(System.getProperty("ingest.jvm", "@" + IMAGE_JVM.toAbsolutePath()).split(" "))
                .stream().filter(flag -> !flag.isBlank()).toList();

        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.startTemporary()) {
            kafka.createTopic("logs", 3);
            kafka.createTopic("log-tokens", 1, (short) 1, Map.of("cleanup.policy", "compact"));
            List<String> rows = new ArrayList<>();
            rows.add(String.format("%-9s %5s %12s %9s %9s %9s %8s %9s %8s", "variant", "conns", "lines/s",
                    "p50 ms", "p99 ms", "non-2xx", "ratio", "cpu s", "rss MB"));
            String token = null;
            Path body = null;
            for (Map.Entry<String, Map<String, String>> variant : variants.entrySet()) {
                Map<String, String> env = new HashMap<>(Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                        "INGEST_HOST", "127.0.0.1",
                        "INGEST_PORT", String.valueOf(ListenPort.free("127.0.0.1")),
                        "INGEST_MANAGEMENT_PORT", String.valueOf(ListenPort.free("127.0.0.1")),
                        "INGEST_ADMIN_TOKEN", ADMIN,
                        // one token carries the whole load here: no per-token limit
                        "INGEST_TOKEN_LINES_PER_SECOND", "0",
                        "INGEST_TOKEN_BYTES_PER_SECOND", "0",
                        "INGEST_MAX_REQUESTS_PER_TOKEN", "100000",
                        "MALLOC_ARENA_MAX", "1"));
                env.putAll(variant.getValue());
                // JVM=flags in a variant: its own JVM flags, after the common ones (a later -Xmx wins)
                List<String> flags = new ArrayList<>(jvmFlags);
                String own = env.remove("JVM");
                if (own != null) {
                    flags.addAll(List.of(own.trim().split(" +")));
                }
                Process ingest = startIngest(env, flags);
                try {
                    String management = "http://127.0.0.1:" + env.get("INGEST_MANAGEMENT_PORT");
                    awaitReady(management);
                    if (token == null) {
                        token = new AdminTokens(management, ADMIN).tokenFor("addon_bench", "orga_bench");
                        body = referenceBody(token);
                    }
                    String url = "http://127.0.0.1:" + env.get("INGEST_PORT") + "/logs";
                    // unmeasured: the ingest's and the broker's JIT compile the hot paths first (the first measured
                    // row of a cold process moved about two thirds of a warm one's lines)
                    runWrk(url, token, body, 16, WARMUP_SECONDS);
                    double baseline = producerPerformance(kafka.bootstrapServers(), env, body);
                    for (int c : connections) {
                        long cpuBefore = cpuTicks(ingest.pid());
                        WrkResult wrk = runWrk(url, token, body, c, seconds);
                        double cpu = (cpuTicks(ingest.pid()) - cpuBefore) / 100.0;
                        double lines = wrk.requestsPerSecond() * LINES;
                        rows.add(String.format("%-9s %5d %,12.0f %9.2f %9.2f %9d %8.2f %9.1f %8d", variant.getKey(), c,
                                lines, wrk.p50Ms(), wrk.p99Ms(), wrk.non2xx(), lines / baseline, cpu,
                                rssKb(ingest.pid()) / 1024));
                    }
                    rows.add(String.format("%-9s %5s %,12.0f  (ProducerPerformance, same settings and lines)",
                            variant.getKey(), "-", baseline));
                    if (flags.stream().anyMatch(flag -> flag.startsWith("-XX:NativeMemoryTracking="))) {
                        rows.add(nativeMemory(ingest.pid())); // where the RSS goes, after the heaviest row
                    }
                } finally {
                    ingest.destroy();
                    ingest.waitFor(30, TimeUnit.SECONDS);
                }
            }
            System.out.println();
            System.out.println("wrk -t2, " + seconds + " s per row, body of " + LINES
                    + " lines of 200 bytes (load/bench/make_body.py), ingest JVM " + String.join(" ", jvmFlags)
                    + "; the load generator and "
                    + "Kafka share the machine");
            rows.forEach(System.out::println);
        }
    }

    private static Process startIngest(Map<String, String> env, List<String> jvmFlags) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), IngestMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return builder.start();
    }

    /** The JVM's own account of its memory (NMT), each area's committed kilobytes: what makes up the RSS. */
    private static String nativeMemory(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        StringBuilder summary = new StringBuilder("  native memory (committed):");
        Matcher area = Pattern.compile("^(?:-\\s+)?([A-Z][^(:\\n]*?)(?::|\\s*\\()\\s*reserved=\\d+KB, committed=(\\d+)KB",
                Pattern.MULTILINE).matcher(out);
        while (area.find()) {
            summary.append(String.format(" %s %d MB;", area.group(1).trim(), Long.parseLong(area.group(2)) / 1024));
        }
        return summary.toString();
    }

    private static void awaitReady(String management) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create(management + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200); // polling a child process's readiness: no event to wait on
        }
        throw new IllegalStateException("the ingest did not become ready");
    }

    /** The reference body for this token, written by the project's copy of the shared generator. */
    private static Path referenceBody(String token) throws Exception {
        Path body = Files.createTempFile("bench-body", ".bin");
        body.toFile().deleteOnExit();
        Process generator = new ProcessBuilder("python3", "load/bench/make_body.py", token, String.valueOf(LINES), "200")
                .redirectOutput(body.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (generator.waitFor() != 0) {
            throw new IllegalStateException("load/bench/make_body.py failed (run from the repository's root)");
        }
        return body;
    }

    record WrkResult(double requestsPerSecond, double p50Ms, double p99Ms, long non2xx) {
    }

    private static WrkResult runWrk(String url, String token, Path body, int connections, int seconds)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s",
                "--latency", "-s", "load/bench/post.lua", url);
        builder.environment().put("BODY_FILE", body.toString());
        builder.environment().put("AUTH", "Basic " + Base64.getEncoder().encodeToString(("token:" + token)
                .getBytes(StandardCharsets.UTF_8)));
        Process wrk = builder.redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher pct = PCT.matcher(out);
        while (pct.find()) {
            double value = Double.parseDouble(pct.group(2)) * switch (pct.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000.0;
                default -> 1.0;
            };
            if (pct.group(1).equals("50")) {
                p50 = value;
            } else {
                p99 = value;
            }
        }
        Matcher non2xx = NON_2XX.matcher(out);
        return new WrkResult(Double.parseDouble(rps.group(1)), p50, p99,
                non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
    }

    private static double producerPerformance(String bootstrap, Map<String, String> env, Path body) throws Exception {
        Map<String, String> settings = new HashMap<>(env);
        settings.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        return ProducerBaseline.run(IngestConfig.from(settings), ProducerBaseline.payloadFile(Files.readAllBytes(body)),
                2_000_000).recordsPerSecond();
    }

    /** utime + stime of a process, in clock ticks (100 per second on Linux). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long rssKb(long pid) throws IOException {
        try (BufferedReader status = new BufferedReader(new InputStreamReader(
                Files.newInputStream(Path.of("/proc/" + pid + "/status")), StandardCharsets.US_ASCII))) {
            for (String line = status.readLine(); line != null; line = status.readLine()) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        }
        return -1;
    }
}
