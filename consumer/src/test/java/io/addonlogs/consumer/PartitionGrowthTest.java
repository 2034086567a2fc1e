package io.addonlogs.consumer;

import static io.addonlogs.consumer.TailFixture.bearer;
import static io.addonlogs.consumer.TailFixture.viewerOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.common.model.LogEventJson;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;

/**
 * Partitions added to the logs topic move a token's lines to another partition: open streams are reopened and resume
 * by cursor over the old and the new partition, so no line is lost, whenever the ingest's producer moves the key.
 */
class PartitionGrowthTest {

    @Test
    void streamsFollowPartitionsAddedToTheTopic() throws Exception {
        try (TailFixture fixture = new TailFixture(TestKafka.shared(), 1, 1, Map.of())) {
            TailService consumer = fixture.consumers.get(0);
            String token = null;
            for (int i = 0; token == null; i++) {
                String candidate = "lt_growth_" + i + "_00000000000000000000000";
                if (LogPartitions.of(candidate.getBytes(StandardCharsets.UTF_8), 6) != 0) {
                    token = candidate; // its lines move off partition 0 once the topic has 6 partitions
                }
            }
            fixture.register(token, "addon_growth", "orga_growth");
            String viewer = viewerOf("orga_growth");
            List<String> received = new ArrayList<>();
            String cursor;
            try (SseClient before = SseClient.open(fixture.tailUri(consumer, "orga_growth", "addon_growth", ""),
                    bearer(viewer))) {
                fixture.post(token, List.of("one partition"));
                SseClient.Event event = before.next(10_000);
                received.add(LogEventJson.fromJson(event.data()).message());
                cursor = event.id();
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        fixture.kafka.bootstrapServers()))) {
                    admin.createPartitions(Map.of(fixture.logsTopic, NewPartitions.increaseTo(6))).all()
                            .get(30, TimeUnit.SECONDS);
                }
                Await.until(before::ended, "the stream opened with one partition is reopened");
            }
            assertEquals(6, consumer.tailsPartitionCount(), "the consumer follows the topic's partition count");
            List<String> after = List.of("after growth 1", "after growth 2");
            fixture.post(token, after);
            try (SseClient resumed = SseClient.open(fixture.tailUri(consumer, "orga_growth", "addon_growth", ""),
                    Map.of("Authorization", "Bearer " + viewer, "Last-Event-ID", cursor))) {
                for (SseClient.Event event : resumed.next(2, 20_000)) {
                    received.add(LogEventJson.fromJson(event.data()).message());
                    cursor = event.id();
                }
            }
            assertEquals(List.of("one partition", "after growth 1", "after growth 2"), received);
            assertNotEquals("0:2", cursor, "the cursor names the partitions the add-on now spans: " + cursor);
        }
    }
}
