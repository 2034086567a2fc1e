package io.addonlogs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.addonlogs.consumer.TailConfig;
import io.addonlogs.ingest.IngestConfig;
import io.addonlogs.service.management.ManagementServer;

/**
 * deploy/monitoring checked with Prometheus's own {@code promtool}: the rules parse, their unit tests
 * (alerts-test.yml) pass, and the example scrape configuration loads them. MonitoringTest runs them against the
 * real services.
 */
class AlertRulesTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        String promtool = MonitoringTools.require("promtool", "prometheus").toString();
        MonitoringTools.Result check = MonitoringTools.run(List.of(promtool, "check", "rules", "alerts.yml"));
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: " + alertNames().size() + " rules found"), check.output());
    }

    @Test
    void ruleUnitTestsPassAndCoverSeveralAlerts() throws Exception {
        String promtool = MonitoringTools.require("promtool", "prometheus").toString();
        MonitoringTools.Result test = MonitoringTools.run(List.of(promtool, "test", "rules", "alerts-test.yml"));
        assertEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());

        Set<String> tested = new TreeSet<>();
        for (JsonNode t : YAML.readTree(MonitoringTools.DIR.resolve("alerts-test.yml").toFile()).get("tests")) {
            for (JsonNode alert : t.get("alert_rule_test")) {
                if (!alert.get("exp_alerts").isEmpty()) {
                    tested.add(alert.get("alertname").asText());
                }
            }
        }
        assertTrue(alertNames().containsAll(tested), "tests name only real alerts: " + tested);
        assertTrue(tested.size() >= 2, "at least two alerts are shown firing: " + tested);
    }

    @Test
    void exampleScrapeConfigLoadsTheRules() throws Exception {
        String promtool = MonitoringTools.require("promtool", "prometheus").toString();
        MonitoringTools.Result check = MonitoringTools.run(List.of(promtool, "check", "config", "prometheus.yml"));
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: 1 rule files found"), check.output());
        JsonNode jobs = YAML.readTree(MonitoringTools.DIR.resolve("prometheus.yml").toFile()).get("scrape_configs");
        List<String> names = new ArrayList<>();
        jobs.forEach(j -> names.add(j.get("job_name").asText()));
        assertEquals(List.of("ingest", "consumer", "haproxy"), names, "the job names the rules select on");

        // the ports: each service's management port, and the exporter's frontend in haproxy.cfg
        assertEquals(IngestConfig.from(Map.of()).managementPort(), jobs.at("/0/dns_sd_configs/0/port").asInt());
        assertEquals(TailConfig.from(Map.of("VIEWER_JWT_SECRET", "x".repeat(32))).managementPort(),
                jobs.at("/1/dns_sd_configs/0/port").asInt());
        String haproxy = Files.readString(MonitoringTools.DIR.resolveSibling("docker").resolve("haproxy.cfg"));
        Matcher exporter = Pattern.compile("frontend prometheus\\n\\s+bind :(\\d+)\\n").matcher(haproxy);
        assertTrue(exporter.find(), "haproxy.cfg has the exporter's frontend");
        assertTrue(haproxy.contains("use-service prometheus-exporter if { path " + ManagementServer.METRICS_PATH + " }"));
        assertEquals("lb:" + exporter.group(1), jobs.at("/2/static_configs/0/targets/0").asText());
    }

    @Test
    void metricNamesAreReadFromExpressions() {
        assertEquals(Set.of("ingest_requests_total"), PromQl.metricNames(
                "sum by (job, instance) (rate(ingest_requests_total{status=~\"5..\", status!=\"503\"}[5m]))"
                        + " / sum by (job, instance) (rate(ingest_requests_total[$__rate_interval])) > 0.01"));
        assertEquals(Set.of("tail_viewers", "kafka_consumer_fetch_manager_fetch_total"), PromQl.metricNames(
                "max by (job, instance) (tail_viewers) > 0\n  and on (job, instance) "
                        + "sum(rate(kafka_consumer_fetch_manager_fetch_total[2m] offset 1m)) == 0"));
        assertEquals(Set.of("up"), PromQl.metricNames("up{job=~\"ingest|consumer\"} == 0"));
        assertEquals(Set.of("a:b_c", "d"), PromQl.metricNames("a:b_c * 1e6 + d unless bool 5"));
    }

    /** The alert names of alerts.yml. */
    static List<String> alertNames() throws IOException {
        List<String> names = new ArrayList<>();
        for (JsonNode rule : rules()) {
            names.add(rule.get("alert").asText());
        }
        return names;
    }

    /** Every rule of every group of alerts.yml. */
    static List<JsonNode> rules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : YAML.readTree(MonitoringTools.DIR.resolve("alerts.yml").toFile()).get("groups")) {
            group.get("rules").forEach(rules::add);
        }
        return rules;
    }
}
