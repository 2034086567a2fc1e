package io.addonlogs.load;

import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The result of one run: a table for people, JSON for machines. */
record LoadReport(LoadOptions options, double seconds, long lines, long bytes, long posts, Histogram post,
                  Histogram delivery, int viewersConnected, long deliveredLines, long measuredSseLines,
                  long expectedDeliveries,
                  long viewerDrops, Map<String, Long> errors, Map<String, List<ServiceSampler.Sample>> memory,
                  ProducerBaseline.Result baseline) {

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double linesPerSecond() {
        return lines / seconds;
    }

    double megabytesPerSecond() {
        return bytes / seconds / 1e6;
    }

    /** Ingest lines/s over the raw producer's records/s, or NaN without a baseline. */
    double ratioToProducer() {
        return baseline == null ? Double.NaN : linesPerSecond() / baseline.recordsPerSecond();
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    String table() {
        StringBuilder t = new StringBuilder();
        t.append(String.format("%n== Load result: %.1f s measured, %d providers, %d add-ons, %d lines/POST, "
                        + "%s-byte lines%s%s, rate %s ==%n", seconds, options.providers(), options.addons(),
                options.linesPerPost(), options.minLineBytes() == options.maxLineBytes()
                        ? String.valueOf(options.minLineBytes()) : options.minLineBytes() + "-" + options.maxLineBytes(),
                options.chunked() ? ", chunked" : "", options.gzip() ? ", gzip" : "",
                options.rate() == 0 ? "open" : options.rate() + " lines/s"));
        row(t, "accepted", String.format("%,.0f lines/s  %.1f MB/s (bodies as sent)  %,.0f POST/s  %,d lines",
                linesPerSecond(), megabytesPerSecond(), posts / seconds, lines));
        row(t, "POST latency", String.format("p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f ms",
                ms(post, 50), ms(post, 99), ms(post, 99.9), post.getMaxValue() / 1000.0));
        if (options.viewers() > 0) {
            row(t, "POST to SSE", String.format("p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  (%d of %d viewers)",
                    ms(delivery, 50), ms(delivery, 99), ms(delivery, 99.9), viewersConnected, options.viewers()));
            row(t, "SSE lines", String.format("%,d delivered of %,d expected (missing %,d), %d viewers dropped",
                    deliveredLines, expectedDeliveries, expectedDeliveries - deliveredLines, viewerDrops));
        }
        row(t, "errors", errors.isEmpty() ? "none" : errors.toString());
        memory.forEach((name, samples) -> {
            if (!samples.isEmpty()) {
                row(t, name + " memory", String.format("RSS first %s  last %s  max %s;  heap max %s",
                        mb(samples.get(0).rssBytes()), mb(samples.get(samples.size() - 1).rssBytes()),
                        mb(samples.stream().mapToLong(ServiceSampler.Sample::rssBytes).max().orElse(0)),
                        mb(samples.stream().mapToLong(ServiceSampler.Sample::heapBytes).max().orElse(0))));
            }
        });
        memory.forEach((name, samples) -> {
            double cpu = measuredCpuSeconds(samples);
            if (!Double.isNaN(cpu)) {
                row(t, name + " CPU", String.format("%.1f s from the warm-up's end until delivered%s", cpu,
                        measuredSseLines == 0 ? "" : String.format(";  %.2f s per million SSE lines (%,d lines)",
                                cpu / (measuredSseLines / 1e6), measuredSseLines)));
            }
        });
        if (baseline != null) {
            row(t, "Kafka ceiling", String.format("ProducerPerformance %,.0f records/s (%.1f MB/s, %,d records); "
                    + "ingest = %.2f x that", baseline.recordsPerSecond(), baseline.megabytesPerSecond(),
                    baseline.records(), ratioToProducer()));
        }
        return t.toString();
    }

    /**
     * CPU seconds a service spent from the first sample after the warm-up to the last one, taken once the viewers had
     * every line (so it covers the same lines as {@code measuredSseLines}), or NaN without two such samples.
     */
    private double measuredCpuSeconds(List<ServiceSampler.Sample> samples) {
        double warmup = options.warmup().toMillis() / 1000.0;
        List<ServiceSampler.Sample> measured = samples.stream().filter(s -> s.seconds() >= warmup).toList();
        if (measured.size() < 2) {
            return Double.NaN;
        }
        double cpu = measured.get(measured.size() - 1).cpuSeconds() - measured.get(0).cpuSeconds();
        return cpu > 0 ? cpu : Double.NaN;
    }

    private static void row(StringBuilder t, String name, String value) {
        t.append(String.format("  %-16s %s%n", name, value));
    }

    private static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1048576.0);
    }

    JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("options", JsonObject.mapFrom(Map.of("providers", options.providers(), "addons", options.addons(),
                        "linesPerPost", options.linesPerPost(), "minLineBytes", options.minLineBytes(),
                        "maxLineBytes", options.maxLineBytes(), "chunked", options.chunked(), "gzip", options.gzip(),
                        "rate", options.rate(), "viewers", options.viewers(),
                        "durationSeconds", options.duration().toMillis() / 1000.0)))
                .put("measuredSeconds", seconds)
                .put("linesAccepted", lines).put("linesPerSecond", linesPerSecond())
                .put("megabytesPerSecond", megabytesPerSecond()).put("postsPerSecond", posts / seconds)
                .put("postLatencyMs", latency(post))
                .put("errors", new JsonObject(Map.copyOf(errors))).put("errorCount", errorCount());
        if (options.viewers() > 0) {
            json.put("sse", new JsonObject().put("viewersConnected", viewersConnected)
                    .put("linesDelivered", deliveredLines).put("linesDeliveredWhileMeasured", measuredSseLines).put("linesExpected", expectedDeliveries)
                    .put("viewersDropped", viewerDrops).put("deliveryLatencyMs", latency(delivery)));
        }
        JsonObject mem = new JsonObject();
        memory.forEach((name, samples) -> {
            JsonArray series = new JsonArray();
            samples.forEach(s -> series.add(new JsonArray().add(s.seconds()).add(s.rssBytes()).add(s.heapBytes())
                    .add(s.cpuSeconds())));
            mem.put(name, new JsonObject().put("columns", new JsonArray().add("seconds").add("rssBytes")
                    .add("heapBytes").add("cpuSeconds")).put("samples", series).put("measuredCpuSeconds",
                    measuredCpuSeconds(samples)));
        });
        json.put("memory", mem);
        if (baseline != null) {
            json.put("producerPerformance", new JsonObject().put("records", baseline.records())
                    .put("recordsPerSecond", baseline.recordsPerSecond())
                    .put("megabytesPerSecond", baseline.megabytesPerSecond())
                    .put("avgLatencyMs", baseline.avgLatencyMs()).put("summary", baseline.summaryLine())
                    .put("ingestRatio", ratioToProducer()));
        }
        return json;
    }

    private static JsonObject latency(Histogram h) {
        return new JsonObject().put("count", h.getTotalCount()).put("p50", ms(h, 50)).put("p99", ms(h, 99))
                .put("p999", ms(h, 99.9)).put("max", h.getMaxValue() / 1000.0);
    }
}
