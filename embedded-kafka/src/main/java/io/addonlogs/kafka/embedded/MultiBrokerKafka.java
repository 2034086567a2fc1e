package io.addonlogs.kafka.embedded;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;

import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import kafka.server.BrokerServer;

/**
 * Several Kafka brokers and one KRaft controller in this JVM, for fault tests: a broker can be stopped and started
 * again while clients keep running. Built on Kafka's own {@link KafkaClusterTestKit} with separate controller and
 * broker roles (combined mode is not used: it is not supported by the test kit in recent Kafka versions).
 *
 * <p>Needs {@code kafka-test-common-runtime}, {@code kafka-clients:test} and {@code bcpkix-jdk18on} on the class
 * path; they are optional dependencies of this module.
 */
public final class MultiBrokerKafka implements KafkaCluster {

    private final KafkaClusterTestKit cluster;

    private MultiBrokerKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /** Starts {@code brokers} brokers (ids 0..n-1) and one controller, with default replication set to them all. */
    public static MultiBrokerKafka start(int brokers, Map<String, String> brokerConfig) {
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setNumBrokerNodes(brokers)
                    .setNumControllerNodes(1)
                    .setCombined(false)
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes)
                    .setDeleteOnClose(true)
                    .setConfigProp("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024))
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    .setConfigProp("offsets.topic.num.partitions", "1");
            brokerConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new MultiBrokerKafka(kit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Kafka", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start a multi-broker Kafka", e);
        }
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Set<Integer> brokerIds() {
        return new TreeSet<>(cluster.brokers().keySet());
    }

    /** Stops one broker and waits until it is down; its data stays for {@link #startBroker(int)}. */
    public void stopBroker(int id) {
        BrokerServer broker = broker(id);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /**
     * Starts a stopped broker again and waits until the cluster lists it as alive (other brokers may still be
     * down, so the test kit's wait-for-all cannot be used).
     */
    public void startBroker(int id) {
        broker(id).startup();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = cluster.admin()) {
            while (System.nanoTime() < deadline) {
                boolean alive = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream()
                        .anyMatch(node -> node.id() == id);
                if (alive) {
                    return;
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restarting broker " + id, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot describe the cluster while restarting broker " + id, e);
        }
        throw new IllegalStateException("broker " + id + " did not come back within 60 s");
    }

    private BrokerServer broker(int id) {
        BrokerServer broker = cluster.brokers().get(id);
        if (broker == null) {
            throw new IllegalArgumentException("no broker " + id + " in " + brokerIds());
        }
        return broker;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the multi-broker Kafka", e);
        }
    }
}
