package io.addonlogs.common.drains;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class DrainJsonTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);
    private final DrainSecrets secrets = DrainSecrets.fromBase64(KEY);

    static DrainRecipient recipient(DrainType type, String url) {
        return new DrainRecipient(type, Secret.of(url), null, null, null, null, null, null);
    }

    @Test
    void roundTripsEveryFieldAndSealsEverySecret() {
        DrainRecipient r = new DrainRecipient(DrainType.ELASTICSEARCH, Secret.of("https://es:pw-in-url@es.example/_bulk"),
                "logstash", "elastic", Secret.of("s3cret-password"), Secret.of("api-key-1"), Secret.of("source-token-1"),
                Secret.of("X-OVH-TOKEN=\"ovh-token-1\""));
        DrainDefinition drain = new DrainDefinition("drain_1", "addon_1", "orga_1", null, r, true,
                Instant.parse("2026-11-25T10:00:00Z"), null);
        byte[] stored = DrainJson.toBytes(drain, secrets);
        String text = new String(stored, StandardCharsets.UTF_8);
        for (String secret : new String[] {"pw-in-url", "s3cret-password", "api-key-1", "source-token-1", "ovh-token-1"}) {
            assertFalse(text.contains(secret), secret + " stored in clear: " + text);
        }
        assertTrue(text.contains("\"url\":\"https://es:***@es.example/_bulk\""), text);
        assertEquals(drain, DrainJson.fromBytes(stored, secrets));
        assertEquals("LOG", drain.kind());
    }

    @Test
    void aSealedSecretOpensOnlyForItsDrainAndKey() {
        String sealed = secrets.seal(Secret.of("pw"), "drain_1");
        assertEquals("pw", secrets.open(sealed, "drain_1").reveal());
        assertNotEquals(sealed, secrets.seal(Secret.of("pw"), "drain_1"), "a fresh nonce per value");
        assertThrows(IllegalArgumentException.class, () -> secrets.open(sealed, "drain_2"));
        byte[] other = new byte[32];
        other[0] = 1;
        DrainSecrets otherKey = DrainSecrets.fromBase64(Base64.getEncoder().encodeToString(other));
        assertThrows(IllegalArgumentException.class, () -> otherKey.open(sealed, "drain_1"));
        assertThrows(IllegalArgumentException.class, () -> DrainSecrets.fromBase64(
                Base64.getEncoder().encodeToString(new byte[16])));
    }

    @Test
    void toStringsNeverShowSecrets() {
        DrainRecipient r = new DrainRecipient(DrainType.DATADOG,
                Secret.of("https://http-intake.logs.datadoghq.eu/api/v2/logs?dd-api-key=dd-key-1&ddsource=x"), null,
                "user", Secret.of("pw-1"), Secret.of("key-1"), null, null);
        String shown = new DrainDefinition("d", "a", "o", null, r, true, Instant.EPOCH, null).toString();
        assertFalse(shown.contains("dd-key-1") || shown.contains("pw-1") || shown.contains("key-1"), shown);
        assertTrue(shown.contains("dd-api-key=***&ddsource=x"), shown);
        assertEquals("https://http-intake.logs.datadoghq.eu/v1/input/***?ddsource=clevercloud",
                recipient(DrainType.DATADOG, "https://http-intake.logs.datadoghq.eu/v1/input/key-2?ddsource=clevercloud")
                        .shownUrl());
        assertEquals("X-OVH-TOKEN=\"***\" b=\"***\"", new DrainRecipient(DrainType.OVH_TCP,
                Secret.of("tcp://h:1"), null, null, null, null, null, Secret.of("X-OVH-TOKEN=\"t\\\"x\" b=\"2\""))
                .shownStructuredData());
    }

    @Test
    void refusesUrlsAndFieldsTheTypeCannotUse() {
        assertThrows(IllegalArgumentException.class, () -> recipient(DrainType.SYSLOG_TCP, "http://h:1"));
        assertThrows(IllegalArgumentException.class, () -> recipient(DrainType.SYSLOG_TCP, "tcp://h"));
        assertThrows(IllegalArgumentException.class, () -> recipient(DrainType.RAW_HTTP, "tcp://h:1"));
        assertThrows(IllegalArgumentException.class, () -> recipient(DrainType.ELASTICSEARCH, "http://h/_bulk"));
        assertThrows(IllegalArgumentException.class, () -> recipient(DrainType.NEWRELIC, "https://log-api.newrelic.com/log/v1"));
        assertThrows(IllegalArgumentException.class, () -> new DrainRecipient(DrainType.OVH_TCP, Secret.of("tcp://h:1"),
                null, null, null, null, null, Secret.of("no quotes")));
        recipient(DrainType.SYSLOG_TCP, "tcp+tls://127.0.0.1:6514");
        recipient(DrainType.SYSLOG_UDP, "udp://127.0.0.1:514");
    }

    @Test
    void statusRoundTrips() {
        DrainStatus status = new DrainStatus("d", 2, new DrainStatus.Execution("RETRYING", 3, null,
                Instant.parse("2026-11-25T10:00:00Z"), Instant.parse("2026-11-25T10:00:04Z"),
                Instant.parse("2026-11-25T09:59:00Z"), "connection refused"), 42, 1.5, 300.25, 7, 3,
                Instant.parse("2026-11-25T10:00:01Z"));
        assertEquals(status, DrainStatusJson.fromBytes(DrainStatusJson.toBytes(status)));
        assertEquals(new DrainPartitionKey("d_1", 12), DrainPartitionKey.parse("d_1/12"));
        assertThrows(IllegalArgumentException.class, () -> DrainPartitionKey.parse("nokey"));
    }
}
