package io.addonlogs.drain.format;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Jackson for the JSON formats: one line's common fields, and bytes of a tree. */
final class JsonLines {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {
    }

    /** {@code message}, {@code hostname}, {@code appName}, {@code procId}, {@code msgId}, severity and facility. */
    static ObjectNode fields(DrainLine line) {
        return MAPPER.createObjectNode()
                .put("message", line.message())
                .put("hostname", line.hostname())
                .put("appName", line.appName())
                .put("procId", line.procId())
                .put("msgId", line.msgId())
                .put("severity", line.severity())
                .put("facility", line.facility());
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen for a tree of values", e);
        }
    }
}
