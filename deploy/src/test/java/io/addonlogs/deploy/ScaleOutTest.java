package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;

/**
 * Consumers that really scale out: haproxy with the shipped haproxy.cfg in front of 2 consumers (and 2 ingests), a
 * logs topic of 12 partitions, 100 add-ons each tailed through the proxy while providers POST to all of them. A tail
 * request is sent by its first consumer to the URL naming its add-on's partition, which the proxy hashes: every
 * request for an add-on ends on the same consumer, the add-ons split between the two, each consumer serves exactly
 * the viewers of its add-ons, and each one's live reader fetches about half of what a reader of the whole topic
 * fetches. Then one consumer stops: its viewers, and only they, resume on the other by cursor, and every viewer has
 * seen exactly what Kafka holds for its add-on. {@code -Dreliability.scale=N}: N times longer load. Skipped without
 * haproxy, unless {@code MONITORING_TESTS=required}.
 */
class ScaleOutTest {

    private static final int SCALE = Integer.getInteger("reliability.scale", 1);
    private static final int ADDONS = 100;
    private static final String OWNER = "orga_scale";
    private static final String LIVE_BYTES =
            "kafka_consumer_fetch_manager_bytes_consumed_total{client_id=\"log-consumer-live\"";
    /** A probe's request that reached the consumer the proxy hashed its partition to: answered 400 (a bad query). */
    private static final Pattern ROUTED = Pattern.compile(
            " consumer/(\\S+) \\S+ 400 .*\"GET /v4/logs/organisations/[^/]+/resources/([^/]+)/logs HTTP");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    @Test
    void viewersRoutedByPartitionSplitTheFetchingAndResumeOnTheOtherInstance() throws Exception {
        try (ProxiedStack stack = new ProxiedStack(ProxiedStack.freshDir("scale-out"), 2, 12,
                Map.of("CONSUMER_MAX_TAILS_PER_VIEWER", String.valueOf(2 * ADDONS)))) {
            Map<String, String> tokens = new LinkedHashMap<>();
            for (int a = 0; a < ADDONS; a++) {
                tokens.put("addon_scale_" + a, stack.admin().tokenFor("addon_scale_" + a, OWNER));
            }
            String jwt = stack.viewerToken(OWNER);

            // where the proxy sends each add-on: a request answered at once (307 to its partition's URL, then 400 for a
            // bad query there), twice per add-on
            for (int round = 0; round < 2; round++) {
                for (String addon : tokens.keySet()) {
                    assertEquals(400, HTTP.send(HttpRequest.newBuilder(URI.create(stack.consumerUrl()
                            + "/v4/logs/organisations/" + OWNER + "/resources/" + addon + "/logs?tail=x"))
                            .header("Authorization", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode());
                }
            }
            Await.until(() -> routed(stack.haproxyLog()).values().stream().mapToInt(List::size).sum() == 2 * ADDONS,
                    "haproxy logged every probe");
            Map<String, List<String>> servers = routed(stack.haproxyLog());
            Map<String, Integer> addonsPerConsumer = new TreeMap<>();
            servers.forEach((addon, each) -> {
                assertEquals(1, each.stream().distinct().count(), addon + " always to the same consumer: " + each);
                addonsPerConsumer.merge(each.get(0), 1, Integer::sum);
            });
            assertEquals(ADDONS, servers.size());
            assertEquals(2, addonsPerConsumer.size(), "both consumers have add-ons: " + addonsPerConsumer);
            addonsPerConsumer.values().forEach(n -> assertTrue(n >= ADDONS / 5, "a fair share: " + addonsPerConsumer));

            List<ResumingViewer> viewers = new ArrayList<>();
            for (String addon : tokens.keySet()) {
                viewers.add(new ResumingViewer(stack.consumerUrl(), OWNER, addon, jwt));
            }
            for (ResumingViewer viewer : viewers) {
                viewer.awaitConnected();
            }
            for (ServiceInstance consumer : stack.consumers) {
                int expected = addonsPerConsumer.getOrDefault(consumer.name, 0);
                Await.until(() -> ServiceInstance.metric(consumer.managementUrl(), "tail_viewers") == expected,
                        consumer.name + " serves the viewers of its " + expected + " add-ons");
            }

            ProxyLoad load = new ProxyLoad(stack.ingestUrl(), List.copyOf(tokens.values()), 5, 500);
            String bytes;
            try {
                Await.until(() -> load.acknowledgedLines() >= 1000, "load on the add-ons");
                long topicBefore = stack.logsTopicBytes();
                List<Double> before = liveBytes(stack);
                double whole;
                try (WholeTopicReader reader = new WholeTopicReader(stack.kafka.bootstrapServers())) {
                    Thread.sleep(10_000L * SCALE);
                    whole = reader.bytesConsumed();
                }
                long topic = stack.logsTopicBytes() - topicBefore;
                List<Double> after = liveBytes(stack);
                List<String> shares = new ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    double fetched = after.get(c) - before.get(c);
                    shares.add(String.format("%s %.0f bytes (%.2f of the whole topic's)", stack.consumers.get(c).name,
                            fetched, fetched / whole));
                }
                bytes = String.format("topic grew %d bytes on disk; a reader of the whole topic fetched %.0f bytes, the "
                        + "live readers %s", topic, whole, shares);
                for (int c = 0; c < 2; c++) {
                    double share = (after.get(c) - before.get(c)) / whole;
                    // 12 partitions hashed over 2 instances: about half each (6/6 with haproxy 2.6), never the whole
                    assertTrue(share > 0.2 && share < 0.75, "each live reader fetches its share: " + bytes);
                }

                ServiceInstance gone = stack.consumers.get(0);
                ServiceInstance other = stack.consumers.get(1);
                gone.stop();
                Await.until(() -> ServiceInstance.metric(other.managementUrl(), "tail_viewers") == ADDONS,
                        "every viewer resumed on " + other.name);
                int after2 = load.acknowledgedLines();
                Await.until(() -> load.acknowledgedLines() >= after2 + 500, "load goes on");
            } finally {
                load.close();
            }
            try {
                Map<String, List<String>> stored = stack.storedIds();
                List<String> addons = List.copyOf(tokens.keySet());
                for (int a = 0; a < ADDONS; a++) {
                    viewers.get(a).awaitLines(stored.getOrDefault(tokens.get(addons.get(a)), List.of()).size());
                }
                System.out.printf("scale-out: add-ons per consumer %s; %s; after %s stopped: viewers dropped %d, "
                        + "acknowledged %d lines, POST failures %d, closed unanswered %d%n", addonsPerConsumer, bytes,
                        stack.consumers.get(0).name, viewers.stream().mapToInt(v -> v.drops.get()).sum(),
                        load.acknowledgedLines(), load.failures.size(), load.unanswered.size());
                assertEquals(List.of(), List.copyOf(load.failures), "POST answers other than 204 and 503 + Retry-After");
                assertTrue(load.unanswered.size() <= 1, "requests closed unanswered: " + load.unanswered);
                for (int a = 0; a < ADDONS; a++) {
                    viewers.get(a).assertSawExactly(stored.getOrDefault(tokens.get(addons.get(a)), List.of()),
                            addons.get(a));
                }
                assertEquals(addonsPerConsumer.get(stack.consumers.get(0).name),
                        (int) viewers.stream().filter(v -> v.drops.get() > 0).count(),
                        "the viewers of the stopped consumer, and only they, resumed elsewhere");
            } finally {
                viewers.forEach(ResumingViewer::close);
            }
        }
    }

    /** The consumer haproxy sent each add-on's tail requests to, in the order logged. */
    private static Map<String, List<String>> routed(String haproxyLog) {
        Map<String, List<String>> servers = new TreeMap<>();
        for (String line : haproxyLog.split("\n")) {
            Matcher m = ROUTED.matcher(line);
            if (m.find()) {
                servers.computeIfAbsent(m.group(2), a -> new ArrayList<>()).add(m.group(1));
            }
        }
        return servers;
    }

    private static List<Double> liveBytes(ProxiedStack stack) {
        return stack.consumers.stream().map(c -> ServiceInstance.metric(c.managementUrl(), LIVE_BYTES)).toList();
    }

    /**
     * A plain Kafka consumer reading every partition of the logs topic from its end, on a thread of its own: what an
     * instance that reads the whole topic fetches, in the live readers' own measure (the fetch manager's
     * {@code bytes-consumed-total}).
     */
    private static final class WholeTopicReader implements AutoCloseable {

        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private volatile boolean running = true;
        private volatile double bytes;

        WholeTopicReader(String bootstrapServers) {
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ConsumerConfig.CLIENT_ID_CONFIG, "whole-topic-reader"), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(ProxiedStack.LOGS_TOPIC).stream()
                    .map(p -> new TopicPartition(ProxiedStack.LOGS_TOPIC, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // from here on
            thread = new Thread(() -> {
                try {
                    while (running) {
                        consumer.poll(Duration.ofMillis(200));
                    }
                    bytes = consumer.metrics().entrySet().stream()
                            .filter(e -> e.getKey().name().equals("bytes-consumed-total")
                                    && e.getKey().group().equals("consumer-fetch-manager-metrics")
                                    && !e.getKey().tags().containsKey("topic"))
                            .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
                } finally {
                    consumer.close();
                }
            }, "whole-topic-reader");
            thread.start();
        }

        /** Stops reading; the bytes fetched since it started. */
        double bytesConsumed() throws InterruptedException {
            running = false;
            thread.join();
            return bytes;
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
