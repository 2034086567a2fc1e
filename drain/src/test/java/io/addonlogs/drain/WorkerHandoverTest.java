package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.kafka.LogPartitions;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * Lines keep coming while a second worker joins (a rebalance moves partitions to it) and then the first one stops
 * (its partitions move, deliveries in flight dropped): every drain gets every line, never one after a later one, and
 * at most the batches in flight at each hand-over twice.
 */
class WorkerHandoverTest {

    private static final int PARTITIONS = 4;
    private static final int BATCH = 20;
    private static DrainFixture fixture;
    private static final List<String> TOKENS = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        fixture = new DrainFixture(TestKafka.shared(), PARTITIONS, Map.of("DRAIN_BATCH_LINES", String.valueOf(BATCH)));
        fixture.startWorker();
        // one add-on per partition
        Map<Integer, String> byPartition = new HashMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            String token = "lt_handover_" + i + "_0123456789abcdef0123456";
            byPartition.putIfAbsent(LogPartitions.of(token.getBytes(StandardCharsets.UTF_8), PARTITIONS), token);
        }
        TOKENS.addAll(byPartition.values());
        for (int i = 0; i < TOKENS.size(); i++) {
            fixture.register(TOKENS.get(i), "addon_h" + i, "real_h" + i, "orga_test");
        }
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void nothingLostNothingReorderedAcrossAJoinAndAStop() throws Exception {
        try (Rsyslog receiver = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null)) {
            for (int i = 0; i < TOKENS.size(); i++) {
                fixture.drain("addon_h" + i, DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + receiver.port());
            }
            Thread.sleep(1500);
            AtomicBoolean posting = new AtomicBoolean(true);
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            int[] rounds = {0};
            Thread poster = new Thread(() -> {
                try {
                    while (posting.get()) {
                        int r = rounds[0];
                        for (int i = 0; i < TOKENS.size(); i++) {
                            fixture.post(TOKENS.get(i), DrainFixture.range("h" + i + "-" + r + "-", 0, 30));
                        }
                        rounds[0] = r + 1;
                        Thread.sleep(20);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            poster.start();
            Thread.sleep(1500);
            DrainService first = fixture.workers.get(0);
            DrainService second = fixture.startWorker();
            Await.until(() -> first.ownedPartitions() > 0 && second.ownedPartitions() > 0
                    && first.ownedPartitions() + second.ownedPartitions() == PARTITIONS, "the partitions shared");
            Thread.sleep(1500);
            fixture.stopWorker(first);
            Await.until(() -> second.ownedPartitions() == PARTITIONS, "the second worker owns every partition");
            Thread.sleep(1500);
            posting.set(false);
            poster.join();
            assertEquals(List.of(), errors);

            int total = rounds[0] * 30 * TOKENS.size();
            Await.until(() -> new HashSet<>(receiver.received()).size() >= total, "every line delivered");
            List<String> got = receiver.received();
            for (int i = 0; i < TOKENS.size(); i++) {
                String app = " real_h" + i + " ";
                List<Integer> seq = new ArrayList<>();
                for (String line : got) {
                    if (line.contains(app)) {
                        String msg = line.substring(line.lastIndexOf(' ') + 1); // h<i>-<round>-<n>
                        String[] parts = msg.split("-");
                        seq.add(Integer.parseInt(parts[1]) * 30 + Integer.parseInt(parts[2]));
                    }
                }
                int max = -1;
                int duplicates = 0;
                for (int n : seq) {
                    assertTrue(n <= max + 1, "add-on " + i + ": line " + n + " after " + max + " (a gap)");
                    duplicates += n <= max ? 1 : 0;
                    max = Math.max(max, n);
                }
                assertEquals(rounds[0] * 30 - 1, max, "add-on " + i + ": its last line");
                assertEquals(rounds[0] * 30, new HashSet<>(seq).size(), "add-on " + i + ": every line");
                // two hand-overs at most touch this add-on's partition: at most one batch in flight each
                assertTrue(duplicates <= 2 * BATCH, "add-on " + i + ": " + duplicates + " lines twice");
                System.out.println("add-on " + i + ": " + seq.size() + " received, " + duplicates + " twice");
            }
        }
    }
}
