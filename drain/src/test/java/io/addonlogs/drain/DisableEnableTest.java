package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * A drain disabled and enabled again while lines keep coming, some of it in the middle of reading back from Kafka:
 * nothing is delivered while it is disabled, and once enabled it delivers what came meanwhile (its backlog, from its
 * cursor), every line once and in order (docs/api.md: disabling is a pause, not a skip). The last enable is followed
 * by no other line, so its backlog can only come from the cursor, not from the live read.
 */
class DisableEnableTest {

    private static final String TOKEN = "lt_disable_enable_0123456789abcdef012";
    private static DrainFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        // small holdings and batches: the drain falls behind and reads back from Kafka often
        fixture = new DrainFixture(TestKafka.shared(), 1, Map.of("DRAIN_PENDING_LINES", "20", "DRAIN_BATCH_LINES", "7"));
        fixture.startWorker();
        fixture.register(TOKEN, "addon_toggle", "real_toggle", "orga_test");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyLineOnceInOrderAcrossDisableAndEnable() throws Exception {
        try (Rsyslog rsyslog = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null)) {
            DrainDefinition drain = fixture.drain("addon_toggle", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + rsyslog.port());
            Thread.sleep(1500);
            List<String> expected = new ArrayList<>();
            List<String> whileDisabled = new ArrayList<>();
            for (int round = 0; round < 6; round++) {
                List<String> messages = DrainFixture.range("t" + round + "-", 0, 150);
                fixture.post(TOKEN, messages);
                messages.forEach(m -> expected.add(DrainFixture.forwarded("real_toggle", m)));
                if (round % 2 == 1) { // disabled since the round before: these wait for the enable below
                    messages.forEach(m -> whileDisabled.add(DrainFixture.forwarded("real_toggle", m)));
                }
                boolean disable = round % 2 == 0;
                drain = drain.withEnabled(!disable, Instant.now());
                fixture.put(drain);
                if (disable) {
                    int before = rsyslog.received().size();
                    fixture.post(TOKEN, List.of("while disabled " + round));
                    expected.add(DrainFixture.forwarded("real_toggle", "while disabled " + round));
                    whileDisabled.add(DrainFixture.forwarded("real_toggle", "while disabled " + round));
                    Thread.sleep(1000); // the worker applies definitions every 500 ms
                    // what was in flight may land; nothing new starts while disabled
                    int settled = rsyslog.received().size();
                    Thread.sleep(700);
                    assertEquals(settled, rsyslog.received().size(), "delivered while disabled (from " + before + ")");
                }
            }
            Await.until(() -> rsyslog.received().containsAll(whileDisabled),
                    "the lines stored while the drain was disabled, delivered once it was enabled");
            Await.until(() -> rsyslog.received().size() >= expected.size(), "every line");
            Thread.sleep(500);
            assertEquals(expected, rsyslog.received());
        }
    }
}
