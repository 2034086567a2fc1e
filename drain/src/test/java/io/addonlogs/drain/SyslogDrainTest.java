package io.addonlogs.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainType;
import io.addonlogs.common.drains.Secret;
import io.addonlogs.kafka.embedded.Await;
import io.addonlogs.kafka.embedded.TestKafka;
import io.addonlogs.service.http.ListenPort;

/**
 * Syslog drains into a real rsyslogd on loopback (TCP with octet counting, TCP with TLS under a test CA, UDP, and
 * OVH's TCP with its token as structured data): every line arrives byte for byte as docs/api.md says, with the
 * add-on's real id as APP-NAME and never the provider's log token.
 */
class SyslogDrainTest {

    private static final String TOKEN = "lt_syslog_drain_token_0123456789abcdef";
    private static final String REAL_ID = "postgresql_syslog-drain";
    private static TestCa ca;
    private static DrainFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create();
        fixture = new DrainFixture(TestKafka.shared(), 3, Map.of("DRAIN_TLS_TRUST_PEM", ca.caPem().toString(),
                "DRAIN_UDP_MAX_BYTES", "600"));
        fixture.startWorker();
        fixture.register(TOKEN, "addon_syslog", REAL_ID, "orga_test");
    }

    @AfterAll
    static void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void tcpTlsUdpAndOvhReceiveEachLineByteForByte() throws Exception {
        try (Rsyslog tcp = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null);
             Rsyslog tls = Rsyslog.start(Rsyslog.Mode.TLS, ListenPort.free("127.0.0.1"), ca);
             Rsyslog udp = Rsyslog.start(Rsyslog.Mode.UDP, freeUdpPort(), null);
             Rsyslog ovh = Rsyslog.start(Rsyslog.Mode.TCP, ListenPort.free("127.0.0.1"), null)) {
            fixture.drain("addon_syslog", DrainType.SYSLOG_TCP, "tcp://127.0.0.1:" + tcp.port());
            fixture.drain("addon_syslog", DrainType.SYSLOG_TCP, "tcp+tls://localhost:" + tls.port());
            fixture.drain("addon_syslog", DrainType.SYSLOG_UDP, "udp://127.0.0.1:" + udp.port());
            fixture.drain("addon_syslog", new DrainRecipient(DrainType.OVH_TCP, Secret.of("tcp://127.0.0.1:" + ovh.port()),
                    null, null, null, null, null, Secret.of("X-OVH-TOKEN=\"ovh-token-1\"")));
            Thread.sleep(1500); // the drains start at their creation time: lines posted now are theirs

            String sd = "<134>1 2026-11-23T10:11:12.345Z pg-host " + TOKEN + " postgres.7 ID47 [meta zone=\"par\" "
                    + "region=\"eu\"] café ✓ checkpoint";
            String nilTime = "<190>1 - pg-host " + TOKEN + " postgres.7 - - no timestamp";
            String longLine = DrainFixture.line(TOKEN, "é".repeat(400));
            Instant before = Instant.now();
            fixture.postLines(TOKEN, List.of(DrainFixture.line(TOKEN, "first"), sd, nilTime, longLine));
            Instant after = Instant.now();

            List<String> expected = List.of(DrainFixture.forwarded(REAL_ID, "first"),
                    sd.replace(TOKEN, REAL_ID), "NIL", DrainFixture.forwarded(REAL_ID, "é".repeat(400)));
            for (Rsyslog receiver : List.of(tcp, tls, udp)) {
                Await.until(() -> receiver.received().size() >= 4, "4 lines in rsyslog " + receiver.port());
                List<String> got = receiver.received();
                assertEquals(4, got.size(), String.join("\n", got));
                assertTrue(got.stream().noneMatch(l -> l.contains(TOKEN)), "the log token reached a recipient");
                assertEquals(expected.get(0), got.get(0));
                assertEquals(expected.get(1), got.get(1));
                assertNilTimestampFilled(got.get(2), before, after);
                if (receiver == udp) {
                    byte[] full = expected.get(3).getBytes(StandardCharsets.UTF_8);
                    byte[] cut = got.get(3).getBytes(StandardCharsets.UTF_8);
                    assertTrue(cut.length <= 600 && cut.length >= 599, "cut to 600 bytes at a character: " + cut.length);
                    assertEquals(new String(full, 0, cut.length, StandardCharsets.UTF_8), got.get(3));
                } else {
                    assertEquals(expected.get(3), got.get(3));
                }
            }
            Await.until(() -> ovh.received().size() >= 4, "4 lines at OVH");
            List<String> got = ovh.received();
            String element = "[drain@32473 X-OVH-TOKEN=\"ovh-token-1\"]";
            assertEquals(DrainFixture.forwarded(REAL_ID, "first").replace("postgres.7 - - ", "postgres.7 - " + element + " "),
                    got.get(0));
            assertEquals(sd.replace(TOKEN, REAL_ID).replace("ID47 [meta", "ID47 " + element + "[meta"), got.get(1));
        }
    }

    private static void assertNilTimestampFilled(String line, Instant before, Instant after) {
        String[] fields = line.split(" ", 4);
        Instant stamped = Instant.parse(fields[1]);
        assertTrue(fields[1].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), fields[1]);
        assertFalse(stamped.isBefore(before.minusMillis(1)) || stamped.isAfter(after.plusMillis(1)),
                "the receive time " + stamped + " in [" + before + ", " + after + "]");
        assertEquals("<190>1 " + fields[1] + " pg-host " + REAL_ID + " postgres.7 - - no timestamp", line);
    }

    static List<String> copy(List<String> l) {
        return new ArrayList<>(l);
    }
}
