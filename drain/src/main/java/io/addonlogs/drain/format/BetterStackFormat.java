package io.addonlogs.drain.format;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;

import io.addonlogs.common.drains.DrainRecipient;

/**
 * BETTERSTACK: Better Stack Telemetry's HTTP intake, a JSON array of {@code {"dt": <ISO-8601 UTC>, "message": ...,
 * "level": <severity>, ...}} with {@code Authorization: Bearer <source token>}.
 */
final class BetterStackFormat implements HttpFormat {

    private final String token;

    BetterStackFormat(DrainRecipient r) {
        this.token = r.sourceToken().reveal();
    }

    @Override
    public HttpPayload payload(List<DrainLine> lines, String batchId) {
        ArrayNode array = JsonLines.MAPPER.createArrayNode();
        for (DrainLine line : lines) {
            array.add(JsonLines.fields(line).put("dt", line.date()).put("level", line.severity()));
        }
        return new HttpPayload("application/json", Map.of("Authorization", "Bearer " + token), JsonLines.bytes(array));
    }
}
