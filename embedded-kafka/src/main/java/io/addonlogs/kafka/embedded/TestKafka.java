package io.addonlogs.kafka.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka that tests share within one JVM: started on first use, stopped when the JVM exits.
 *
 * <p>Where a Docker engine is reachable, Testcontainers runs the official {@code apache/kafka} image; otherwise
 * (as on our build machines) an {@link EmbeddedKafkaBroker} runs in this JVM. The system property
 * {@code kafka.harness} = {@code embedded} | {@code container} | {@code auto} (default) forces a choice, and
 * {@code kafka.image} picks the image. Tests isolate themselves with their own topic names.
 */
public final class TestKafka {

    private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
    private static KafkaCluster shared;

    private TestKafka() {
    }

    public static synchronized KafkaCluster shared() {
        if (shared == null) {
            KafkaCluster cluster = startNew();
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "test-kafka-shutdown"));
            shared = cluster;
        }
        return shared;
    }

    /** A Kafka of its own (for a test that stops it); the caller closes it. */
    public static KafkaCluster startNew() {
        String mode = System.getProperty("kafka.harness", "auto").toLowerCase(Locale.ROOT);
        boolean container = mode.equals("container") || (mode.equals("auto") && dockerEngineLikely());
        if (container) {
            String image = System.getProperty("kafka.image", "apache/kafka:4.3.1");
            LOG.info("Starting Kafka in a container ({})", image);
            return ContainerKafka.start(image);
        }
        LOG.info("No Docker engine: starting an in-JVM KRaft broker");
        return EmbeddedKafkaBroker.startTemporary();
    }

    /**
     * Cheap check before asking Testcontainers, whose own probe is slow and noisy when there is no engine.
     * A docker CLI without an engine (as here) does not count.
     */
    static boolean dockerEngineLikely() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            return ContainerKafka.dockerAvailable();
        }
        return Files.exists(Path.of("/var/run/docker.sock")) && ContainerKafka.dockerAvailable();
    }
}
