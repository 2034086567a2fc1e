package io.addonlogs.ingest;

import static io.addonlogs.ingest.Frames.body;
import static io.addonlogs.ingest.Frames.line;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.MultiBrokerKafka;
import io.vertx.core.json.JsonObject;

/**
 * Kafka up but not acknowledging: two brokers, the logs topic with two replicas and {@code min.insync.replicas} 2;
 * with one broker stopped every produce fails with a retriable NOT_ENOUGH_REPLICAS and the producer keeps the
 * records in flight until the broker is back. That holds requests paused at the high-water mark for as long as the
 * test wants, without the topic's metadata going away.
 */
class AcksWithheldTest {

    /**
     * Time a request spends paused by us does not count against its body deadline, and the deadline runs again
     * once reading resumes: with a 4 s deadline and acks withheld for 6 s, a request that goes on after the pause
     * gets 204, and one that goes silent after it gets 408. Before, the deadline fired during the pause and was
     * never re-armed (the silent request was never answered), or fired at once on resume (the other got 408).
     */
    @Test
    void bodyDeadlineStopsWhilePausedForKafkaAndRunsAgainAfter() throws Exception {
        try (MultiBrokerKafka kafka = MultiBrokerKafka.start(2, Map.of());
             IngestFixture ingest = new IngestFixture(kafka, Map.of("INGEST_BODY_TIMEOUT_SECONDS", "4",
                "INGEST_KAFKA_TIMEOUT_MS", "60000", "INGEST_INFLIGHT_HIGH_WATER_BYTES", "65536",
                "INGEST_IDLE_TIMEOUT_SECONDS", "120", "INGEST_TOKEN_LINES_PER_SECOND", "0",
                "INGEST_TOKEN_BYTES_PER_SECOND", "0"), (short) 2)) {
            String token = ingest.provision("addon_paused", "orga_1");
            String headers = "Authorization: " + IngestFixture.basic(token) + "\r\nContent-Type: application/logplex-1\r\n";
            List<String> silent = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                silent.add(line(token, "silent " + i + " " + "s".repeat(100)));
            }
            withholdAcks(kafka, ingest, true);
            try (RawHttp.ChunkedUpload goingOn = new RawHttp.ChunkedUpload(ingest.service.port(), headers);
                 RawHttp.ChunkedUpload goingSilent = new RawHttp.ChunkedUpload(ingest.service.port(), headers)) {
                try {
                    goingSilent.send(body(silent).getBytes(StandardCharsets.UTF_8));
                    Await.until(() -> ingest.service.inFlightBytes() >= 65536, "over the high-water mark");
                    // arrives over the mark: this request pauses too
                    goingOn.send(body(List.of(line(token, "going on 1"))).getBytes(StandardCharsets.UTF_8));
                    Thread.sleep(6000); // acks withheld for longer than the whole body deadline
                } finally {
                    withholdAcks(kafka, ingest, false);
                }
                Await.until(() -> ingest.service.inFlightBytes() == 0, "Kafka caught up: reading resumed");
                try {
                    goingOn.send(body(List.of(line(token, "going on 2"))).getBytes(StandardCharsets.UTF_8));
                    goingOn.endBody();
                } catch (java.io.IOException answeredEarly) {
                    // the server answered and closed already: the response says what it answered
                }
                RawHttp.Response done = goingOn.response();
                assertEquals(204, done.status(), done.body());
                RawHttp.Response timedOut = goingSilent.response();
                assertEquals(408, timedOut.status(), timedOut.body());
                JsonObject verdict = new JsonObject(timedOut.body());
                assertEquals("body_timeout", verdict.getString("code"));
                assertEquals(silent.size(), verdict.getInteger("accepted"));
            }
            assertEquals(2 + silent.size(), ingest.recordsFor(token).size());
        }
    }

    /** Stops one of the two brokers (acks withheld: one in-sync replica of two required) or starts it again. */
    static void withholdAcks(MultiBrokerKafka kafka, IngestFixture ingest, boolean withhold) throws Exception {
        if (!withhold) {
            kafka.startBroker(1);
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, ingest.logsTopic);
            AlterConfigOp op = new AlterConfigOp(new ConfigEntry("min.insync.replicas", "2"), AlterConfigOp.OpType.SET);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get(30, TimeUnit.SECONDS);
        }
        kafka.stopBroker(1);
        // wait until a produce is refused for it (the ISR shrinks a moment after the broker stops)
        try (KafkaProducer<byte[], byte[]> probe = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < 3; partition++) {
                int p = partition;
                Await.until(() -> refused(probe, ingest.logsTopic, p), "acks withheld on partition " + p);
            }
        }
    }

    private static boolean refused(KafkaProducer<byte[], byte[]> probe, String topic, int partition) {
        try {
            probe.send(new ProducerRecord<>(topic, partition, "probe".getBytes(StandardCharsets.UTF_8), new byte[0]))
                    .get(10, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof NotEnoughReplicasException;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
