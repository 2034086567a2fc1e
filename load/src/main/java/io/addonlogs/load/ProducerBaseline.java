package io.addonlogs.load;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.ingest.IngestService;

/**
 * Kafka's own {@code ProducerPerformance} (kafka-tools) with the ingest's producer settings and the very lines the
 * load sends (value bytes; ingest adds the token as key and an {@code addon-id} header), against the same brokers,
 * in a child JVM: the ceiling that the ingest's lines/s are a ratio of. It writes
 * to its own topic (as many partitions as the logs topic) so that viewers never see its records.
 */
final class ProducerBaseline {

    static final String TOPIC = "load-baseline";
    private static final Pattern SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency");

    record Result(long records, double recordsPerSecond, double megabytesPerSecond, double avgLatencyMs,
                  String summaryLine) {
    }

    private ProducerBaseline() {
    }

    /**
     * The producer settings in a file only this user can read (they may hold Kafka credentials: never on the
     * child's command line), without {@code client.id} and {@code max.block.ms}: that is how ingest fails fast
     * when Kafka is gone, and a saturating producer would trip it.
     */
    private static Path producerConfigFile(Properties producer) throws java.io.IOException {
        Properties props = new Properties();
        producer.forEach((k, v) -> {
            if (!k.equals("client.id") && !k.equals("max.block.ms")) {
                props.put(k, String.valueOf(v));
            }
        });
        Path file = java.nio.file.Files.createTempFile("baseline-producer", ".properties",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        file.toFile().deleteOnExit();
        try (var out = java.nio.file.Files.newOutputStream(file)) {
            props.store(out, "ingest producer settings for ProducerPerformance");
        }
        return file;
    }

    /** Separates records in a payload file: a byte no log line of ours holds. */
    static final String DELIMITER = "\u001e";

    /**
     * The MSG of every frame of a logplex body, as a {@code ProducerPerformance} payload file: the baseline then
     * sends the very bytes the ingest stores (the same compression ratio), not random padding.
     */
    static Path payloadFile(byte[] logplexBody) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < logplexBody.length) {
            int space = i;
            while (logplexBody[space] != ' ') {
                space++;
            }
            int length = Integer.parseInt(new String(logplexBody, i, space - i, StandardCharsets.US_ASCII));
            if (out.size() > 0) {
                out.writeBytes(DELIMITER.getBytes(StandardCharsets.US_ASCII));
            }
            out.write(logplexBody, space + 1, length);
            i = space + 1 + length;
        }
        Path file = java.nio.file.Files.createTempFile("baseline-payload", ".bin");
        java.nio.file.Files.write(file, out.toByteArray());
        file.toFile().deleteOnExit();
        return file;
    }

    /**
     * {@code records} records taken from {@code payload} (a {@link #payloadFile}) with the ingest's producer settings
     * for {@code config} (its Kafka client settings included: a secured Kafka works as for the ingest).
     */
    static Result run(IngestConfig config, Path payload, long records) throws Exception {
        String logsTopic = config.logsTopic();
        try (Admin admin = Admin.create(new HashMap<String, Object>(config.kafka()))) {
            TopicDescription logs = admin.describeTopics(List.of(logsTopic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(logsTopic);
            int partitions = logs.partitions().size();
            int replicas = logs.partitions().get(0).replicas().size();
            try {
                admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) replicas)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.ProducerPerformance",
                "--topic", TOPIC, "--num-records", String.valueOf(records), "--payload-file", payload.toString(),
                "--payload-delimiter", DELIMITER, "--throughput", "-1", "--command-config",
                producerConfigFile(IngestService.producerProperties(config)).toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (SUMMARY.matcher(line).find()) {
                    last = line;
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || last == null) {
            throw new IllegalStateException("ProducerPerformance failed (exit " + exit + ")");
        }
        Matcher m = SUMMARY.matcher(last);
        m.find();
        return new Result(Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(4)), last.strip());
    }
}
