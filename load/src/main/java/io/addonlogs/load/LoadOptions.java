package io.addonlogs.load;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The load tool's options, {@code --name=value}. Without {@code --ingest} the tool starts the local stack in its own
 * JVM (embedded Kafka in a temporary directory); with it, it drives running services.
 */
record LoadOptions(String ingest, String ingestManagement, String adminToken, String consumer,
                   String consumerManagement, String viewerSecret, String bootstrap, String logsTopic,
                   int providers, int addons, int linesPerPost, int minLineBytes, int maxLineBytes, boolean chunked,
                   boolean gzip, long rate, Duration warmup, Duration duration, int viewers, int timedViewers,
                   long baselineRecords, String json) {

    static final String USAGE = """
            Add-on Log Collector load tool
              java -jar load/target/log-load.jar [--name=value ...]

            Target (default: start the local stack inside this JVM, on a temporary Kafka):
              --ingest=URL                 ingest base URL, e.g. http://localhost:8080
              --ingest-management=URL      its management URL (admin API, metrics), default port+1
              --admin-token=TOKEN          INGEST_ADMIN_TOKEN of that ingest
              --consumer=URL               consumer base URL (for --viewers), e.g. http://localhost:8090
              --consumer-management=URL    its management URL (metrics), default port+1
              --viewer-secret=SECRET       VIEWER_JWT_SECRET of that consumer (to mint viewer tokens)
              --bootstrap=HOST:PORT        Kafka, for the ProducerPerformance baseline (with the KAFKA_*
                                           client settings of the environment, as the ingest reads them)
              --logs-topic=NAME            the topic ingest writes (default logs); sizes the baseline topic
            Load:
              --providers=N                concurrent providers, each with one connection (default 8)
              --addons=N                   add-ons (one token each) the providers rotate over (default 10)
              --lines-per-post=N           lines per POST body (default 100)
              --line-bytes=N or MIN-MAX    syslog line size in bytes, uniform in MIN-MAX (default 200)
              --chunked                    Transfer-Encoding: chunked instead of Content-Length
              --gzip                       Content-Encoding: gzip
              --rate=N                     target lines/s over all providers; 0 = as fast as answers come (default 0)
              --warmup=DURATION            not measured (default 3s)
              --duration=DURATION          measured (default 10s); e.g. 500ms, 30s, 10m
              --viewers=N                  SSE viewers spread over the add-ons (default 0)
              --timed-viewers=N            of those, how many parse every event for its delivery latency; the
                                           others only count events, so that the tool's own CPU stays below
                                           the consumer's at high fan-out (default: all)
              --baseline-records=N         records for Kafka's ProducerPerformance baseline; 0 = skip (default 1000000)
              --json=FILE                  machine-readable result (default load-result.json)
            """;

    private static final Set<String> FLAGS = Set.of("chunked", "gzip");

    static LoadOptions parse(String... args) {
        Map<String, String> values = new HashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (eq < 0 && !FLAGS.contains(name) && !name.equals("help")) {
                throw new IllegalArgumentException("--" + name + " needs a value (--" + name + "=...)");
            }
            values.put(name, eq < 0 ? "true" : arg.substring(eq + 1));
        }
        Set<String> known = Set.of("ingest", "ingest-management", "admin-token", "consumer", "consumer-management",
                "viewer-secret", "bootstrap", "logs-topic", "providers", "addons", "lines-per-post", "line-bytes",
                "chunked", "gzip", "rate", "warmup", "duration", "viewers", "timed-viewers", "baseline-records", "json",
                "help");
        for (String name : values.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        if (values.containsKey("help")) {
            throw new IllegalArgumentException("help");
        }
        String ingest = values.get("ingest");
        String consumer = values.get("consumer");
        int viewers = count("viewers", values.getOrDefault("viewers", "0"));
        String[] lineBytes = values.getOrDefault("line-bytes", "200").split("-", 2);
        int min = positive("line-bytes", lineBytes[0]);
        int max = lineBytes.length == 2 ? positive("line-bytes", lineBytes[1]) : min;
        if (min < LogplexBodies.MIN_LINE_BYTES || max < min) {
            throw new IllegalArgumentException("--line-bytes must be at least " + LogplexBodies.MIN_LINE_BYTES
                    + " (and MIN <= MAX)");
        }
        return new LoadOptions(ingest, values.getOrDefault("ingest-management", plusOne(ingest)),
                values.get("admin-token"), consumer, values.getOrDefault("consumer-management", plusOne(consumer)),
                values.get("viewer-secret"), values.get("bootstrap"), values.getOrDefault("logs-topic", "logs"),
                count("providers", values.getOrDefault("providers", "8")),
                positive("addons", values.getOrDefault("addons", "10")),
                positive("lines-per-post", values.getOrDefault("lines-per-post", "100")), min, max,
                values.containsKey("chunked"), values.containsKey("gzip"),
                count("rate", values.getOrDefault("rate", "0")),
                duration("warmup", values.getOrDefault("warmup", "3s")),
                duration("duration", values.getOrDefault("duration", "10s")),
                viewers, Math.min(viewers, count("timed-viewers", values.getOrDefault("timed-viewers",
                        String.valueOf(viewers)))),
                count("baseline-records", values.getOrDefault("baseline-records", "1000000")),
                values.getOrDefault("json", "load-result.json"));
    }

    boolean local() {
        return ingest == null;
    }

    LoadOptions withTarget(String ingest, String ingestManagement, String adminToken, String consumer,
                           String consumerManagement, String viewerSecret, String bootstrap, String logsTopic) {
        return new LoadOptions(ingest, ingestManagement, adminToken, consumer, consumerManagement, viewerSecret,
                bootstrap, logsTopic, providers, addons, linesPerPost, minLineBytes, maxLineBytes, chunked, gzip, rate,
                warmup, duration, viewers, timedViewers, baselineRecords, json);
    }

    private static String plusOne(String url) {
        if (url == null) {
            return null;
        }
        int colon = url.lastIndexOf(':');
        return url.substring(0, colon + 1) + (Integer.parseInt(url.substring(colon + 1).replaceAll("/.*", "")) + 1);
    }

    private static int positive(String name, String raw) {
        int value = count(name, raw);
        if (value < 1) {
            throw new IllegalArgumentException("--" + name + " must be at least 1");
        }
        return value;
    }

    private static int count(String name, String raw) {
        try {
            int value = Integer.parseInt(raw.strip());
            if (value < 0) {
                throw new IllegalArgumentException("--" + name + " must not be negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + raw + "'", e);
        }
    }

    static Duration duration(String name, String raw) {
        String s = raw.strip().toLowerCase();
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            return switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("--" + name + " must be a duration like 500ms, 30s or 10m, got '"
                    + raw + "'", e);
        }
    }
}
