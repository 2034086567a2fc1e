package io.addonlogs.drain.format;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.addonlogs.common.drains.DrainRecipient;

/**
 * DATADOG: the logs intake's JSON array ({@code POST /api/v2/logs}, or the older {@code /v1/input/<key>} the
 * platform's docs use), one object per line: {@code message}, {@code hostname}, {@code service} (the add-on's real
 * id unless the URL sets {@code service=}), {@code status} (the severity), {@code timestamp} (epoch milliseconds) and
 * the line's other fields. The API key travels as the URL carries it ({@code dd-api-key=} or the v1 path), and as the
 * {@code DD-API-KEY} header when the recipient has one.
 */
final class DatadogFormat implements HttpFormat {

    private final String apiKey;
    private final boolean serviceInUrl;

    DatadogFormat(DrainRecipient r) {
        this.apiKey = r.apiKey() == null ? null : r.apiKey().reveal();
        String query = r.uri().getRawQuery();
        this.serviceInUrl = query != null && ("&" + query).contains("&service=");
    }

    @Override
    public HttpPayload payload(List<DrainLine> lines, String batchId) {
        ArrayNode array = JsonLines.MAPPER.createArrayNode();
        for (DrainLine line : lines) {
            ObjectNode item = JsonLines.fields(line).put("status", line.severity())
                    .put("timestamp", line.timestampMillis());
            if (!serviceInUrl) {
                item.put("service", line.appName());
            }
            array.add(item);
        }
        Map<String, String> headers = new HashMap<>();
        if (apiKey != null) {
            headers.put("DD-API-KEY", apiKey);
        }
        return new HttpPayload("application/json", headers, JsonLines.bytes(array));
    }
}
