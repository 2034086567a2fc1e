package io.addonlogs.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vertx.core.json.JsonObject;

/** A few seconds of the load tool against the local stack: it measures something, and nothing fails. */
class LoadToolSmokeTest {

    @TempDir
    Path dir;

    @Test
    void reportsThroughputLatencyDeliveryAndTheProducerBaselineWithoutErrors() throws Exception {
        Path json = dir.resolve("result.json");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        LoadReport report = LoadTool.run(LoadOptions.parse("--duration=3s", "--warmup=1s", "--providers=2",
                "--addons=3", "--viewers=3", "--lines-per-post=50", "--line-bytes=120-300", "--chunked", "--gzip",
                "--baseline-records=20000", "--json=" + json), new PrintStream(printed, true, StandardCharsets.UTF_8));

        String out = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, report.errorCount(), out);
        assertTrue(report.lines() > 0 && report.linesPerSecond() > 0, out);
        assertTrue(report.post().getTotalCount() > 0, out);
        assertEquals(3, report.viewersConnected(), out);
        assertTrue(report.expectedDeliveries() > 0, out);
        assertEquals(report.expectedDeliveries(), report.deliveredLines(), "every accepted line reached its viewers");
        assertTrue(report.baseline().recordsPerSecond() > 0, out);
        assertTrue(out.contains("lines/s"), out);

        JsonObject result = new JsonObject(Files.readString(json));
        assertEquals(report.lines(), result.getLong("linesAccepted"));
        assertEquals(0L, result.getLong("errorCount"));
        assertTrue(result.getJsonObject("producerPerformance").getDouble("ingestRatio") > 0);
        assertTrue(result.getJsonObject("memory").getJsonObject("one JVM").getJsonArray("samples").size() >= 3);
    }

    @Test
    void optionsAreCheckedWithClearMessages() {
        assertEquals("--line-bytes must be at least 100 (and MIN <= MAX)", message("--line-bytes=50"));
        assertEquals("unknown option --speed", message("--speed=9"));
        assertEquals("--duration must be a duration like 500ms, 30s or 10m, got '10'", message("--duration=10"));
        assertEquals("--providers must be a whole number, got 'many'", message("--providers=many"));
    }

    private static String message(String arg) {
        try {
            LoadOptions.parse(arg);
            throw new AssertionError("accepted " + arg);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
