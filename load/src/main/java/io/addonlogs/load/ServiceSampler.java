package io.addonlogs.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads each service's resident memory, heap in use and CPU time from its {@code /metrics} (so it works on any
 * deployment), once per progress tick; keeps the series.
 */
final class ServiceSampler {

    /** {@code cpuSeconds}: the process's CPU time so far (user and system, all threads). */
    record Sample(double seconds, long rssBytes, long heapBytes, double cpuSeconds) {
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> targets = new LinkedHashMap<>();
    private final Map<String, List<Sample>> series = new LinkedHashMap<>();

    /** {@code name} is what the report calls it; {@code managementUrl} serves {@code /metrics}. */
    void add(String name, String managementUrl) {
        if (managementUrl != null && !targets.containsValue(managementUrl)) {
            targets.put(name, managementUrl);
            series.put(name, new ArrayList<>());
        }
    }

    Map<String, Sample> sample(double seconds) {
        Map<String, Sample> now = new LinkedHashMap<>();
        targets.forEach((name, url) -> {
            try {
                String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
                Sample s = new Sample(seconds, (long) sum(text, "process_resident_memory_bytes", ""),
                        (long) sum(text, "jvm_memory_used_bytes", "area=\"heap\""),
                        sum(text, "process_cpu_time_ns_total", "") / 1e9);
                series.get(name).add(s);
                now.put(name, s);
            } catch (Exception e) {
                // a sample is missed; the series shows the gap
            }
        });
        return now;
    }

    Map<String, List<Sample>> series() {
        return series;
    }

    /** Sum of a metric's samples whose labels contain {@code labelPart}. */
    static double sum(String prometheusText, String metric, String labelPart) {
        double total = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(metric) && (line.length() > metric.length()
                    && (line.charAt(metric.length()) == '{' || line.charAt(metric.length()) == ' '))
                    && line.contains(labelPart)) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
