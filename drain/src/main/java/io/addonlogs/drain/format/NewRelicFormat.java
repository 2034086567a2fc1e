package io.addonlogs.drain.format;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.addonlogs.common.drains.DrainRecipient;

/**
 * NEWRELIC: the Log API's detailed JSON ({@code POST https://log-api.newrelic.com/log/v1}, or the EU host):
 * {@code [{"common":{"attributes":{"service":<real id>}},"logs":[{"timestamp":<ms>,"message":...,"attributes":
 * {hostname, procId, msgId, severity, facility}}]}]}, the key in the {@code Api-Key} header.
 */
final class NewRelicFormat implements HttpFormat {

    private final String apiKey;

    NewRelicFormat(DrainRecipient r) {
        this.apiKey = r.apiKey().reveal();
    }

    @Override
    public HttpPayload payload(List<DrainLine> lines, String batchId) {
        ArrayNode logs = JsonLines.MAPPER.createArrayNode();
        for (DrainLine line : lines) {
            ObjectNode attributes = JsonLines.fields(line);
            attributes.remove("message");
            ObjectNode log = logs.addObject().put("timestamp", line.timestampMillis()).put("message", line.message());
            log.set("attributes", attributes);
        }
        ObjectNode block = JsonLines.MAPPER.createObjectNode();
        block.putObject("common").putObject("attributes")
                .put("service", lines.isEmpty() ? null : lines.get(0).appName());
        block.set("logs", logs);
        ArrayNode body = JsonLines.MAPPER.createArrayNode().add(block);
        return new HttpPayload("application/json", Map.of("Api-Key", apiKey), JsonLines.bytes(body));
    }
}
