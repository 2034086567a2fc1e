package io.addonlogs.kafka.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * One KRaft node in a JVM of its own, for tests that kill a broker the way a crash does (SIGKILL: no controlled
 * shutdown, no flush). {@code java -cp <class path> io.addonlogs.kafka.embedded.KafkaNodeMain <node.properties>
 * <cluster id>}: formats {@code log.dirs} on the first start (kept afterwards, so a restarted node rejoins with its
 * data), starts the node and prints {@link #STARTED} once it serves. {@link ProcessKafkaCluster} writes the
 * properties and runs the processes.
 */
public final class KafkaNodeMain {

    static final String STARTED = "kafka node started";

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: KafkaNodeMain <node.properties> <cluster id>");
            System.exit(2);
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            props.load(in);
        }
        KafkaConfig config = new KafkaConfig(props, false);
        format(props, args[1]);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "kafka-node-shutdown"));
        server.startup();
        System.out.println(STARTED + " " + props.getProperty("node.id"));
        server.awaitShutdown();
    }

    private static void format(Properties props, String clusterId) {
        Path dir = Path.of(props.getProperty("log.dirs"));
        if (Files.isRegularFile(dir.resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(dir);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(clusterId)
                    .setNodeId(Integer.parseInt(props.getProperty("node.id")))
                    .setControllerListenerName(props.getProperty("controller.listener.names"))
                    .setMetadataLogDirectory(dir.toString())
                    .setDirectories(List.of(dir.toString()))
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dir, e);
        }
    }
}
