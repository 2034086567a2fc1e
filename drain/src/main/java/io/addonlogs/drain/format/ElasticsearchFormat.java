package io.addonlogs.drain.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.addonlogs.common.drains.DrainRecipient;

/**
 * ELASTICSEARCH: the {@code _bulk} API's NDJSON ({@code application/x-ndjson}, ending with a newline): per line an
 * action {@code {"index":{"_index":"<prefix>-yyyy.MM.dd"}}} (the line's UTC date, Logstash's convention) and a
 * document {@code {"@timestamp", "message", "hostname", "appName", "procId", "msgId", "severity", "facility"}};
 * Basic auth from the recipient. Elasticsearch answers 200 even when items failed: {@code "errors":true} is a failure.
 */
final class ElasticsearchFormat implements HttpFormat {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);

    private final String prefix;
    private final String auth;

    ElasticsearchFormat(DrainRecipient r) {
        this.prefix = r.index();
        this.auth = HttpFormat.basicAuth(r);
    }

    @Override
    public HttpPayload payload(List<DrainLine> lines, String batchId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(lines.size() * 256);
        for (DrainLine line : lines) {
            ObjectNode action = JsonLines.MAPPER.createObjectNode();
            action.putObject("index").put("_index", prefix + "-" + DAY.format(Instant.ofEpochMilli(line.timestampMillis())));
            body.writeBytes(JsonLines.bytes(action));
            body.write('\n');
            ObjectNode doc = JsonLines.MAPPER.createObjectNode().put("@timestamp", line.date());
            doc.setAll(JsonLines.fields(line));
            body.writeBytes(JsonLines.bytes(doc));
            body.write('\n');
        }
        Map<String, String> headers = new HashMap<>();
        if (auth != null) {
            headers.put("Authorization", auth);
        }
        return new HttpPayload("application/x-ndjson", headers, body.toByteArray());
    }

    @Override
    public String rejection(byte[] answer) {
        try {
            JsonNode node = JsonLines.MAPPER.readTree(answer);
            return node != null && node.path("errors").asBoolean(false) ? "Elasticsearch refused items of the bulk" : null;
        } catch (IOException e) {
            return "Elasticsearch answered something that is not JSON";
        }
    }
}
