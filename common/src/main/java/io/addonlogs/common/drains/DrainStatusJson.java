package io.addonlogs.common.drains;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON of a {@link DrainStatus} in the status topic, with {@code execution} and {@code backlog} as the API shows them. */
public final class DrainStatusJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DrainStatusJson() {
    }

    public static byte[] toBytes(DrainStatus s) {
        ObjectNode execution = MAPPER.createObjectNode().put("status", s.execution().status())
                .put("attempt", s.execution().attempt()).put("maxAttempt", s.execution().maxAttempt())
                .put("lastAttemptAt", text(s.execution().lastAttemptAt()))
                .put("nextAttemptAt", text(s.execution().nextAttemptAt()))
                .put("retryingSince", text(s.execution().retryingSince()))
                .put("lastError", s.execution().lastError());
        ObjectNode backlog = MAPPER.createObjectNode().put("msgBacklog", s.msgBacklog())
                .put("msgRateOut", s.msgRateOut()).put("msgThroughputOut", s.msgThroughputOut());
        ObjectNode node = MAPPER.createObjectNode().put("drainId", s.drainId()).put("partition", s.partition())
                .put("delivered", s.delivered()).put("failed", s.failed()).put("updatedAt", text(s.updatedAt()));
        node.set("execution", execution);
        node.set("backlog", backlog);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen for a tree of values", e);
        }
    }

    public static DrainStatus fromBytes(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            JsonNode e = n.path("execution");
            JsonNode b = n.path("backlog");
            DrainStatus.Execution execution = new DrainStatus.Execution(DrainJson.required(e, "status"),
                    e.path("attempt").asInt(), e.path("maxAttempt").isInt() ? e.path("maxAttempt").asInt() : null,
                    time(e, "lastAttemptAt"), time(e, "nextAttemptAt"), time(e, "retryingSince"),
                    DrainJson.text(e, "lastError"));
            return new DrainStatus(DrainJson.required(n, "drainId"), n.path("partition").asInt(), execution,
                    b.path("msgBacklog").asLong(), b.path("msgRateOut").asDouble(), b.path("msgThroughputOut").asDouble(),
                    n.path("delivered").asLong(), n.path("failed").asLong(), time(n, "updatedAt"));
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a drain status: " + e.getMessage(), e);
        }
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private static Instant time(JsonNode node, String field) {
        String value = DrainJson.text(node, field);
        return value == null ? null : Instant.parse(value);
    }
}
