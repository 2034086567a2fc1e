package io.addonlogs.kafka.embedded;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A running Kafka that a test or the local launcher talks to through its bootstrap servers.
 */
public interface KafkaCluster extends AutoCloseable {

    String bootstrapServers();

    /** Stops the cluster and removes what it owns (temp dirs, containers). */
    @Override
    void close();

    /** Creates a topic if it does not exist yet; waits until the brokers know it. */
    default void createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            NewTopic topic = new NewTopic(name, partitions, replicationFactor).configs(configs);
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create topic " + name, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out creating topic " + name, e);
        }
    }

    default void createTopic(String name, int partitions) {
        createTopic(name, partitions, (short) 1, Map.of());
    }
}
