package io.addonlogs.drain.format;

import java.util.Map;

/** One HTTP delivery: the body, its content type and the format's own headers (auth included). */
public record HttpPayload(String contentType, Map<String, String> headers, byte[] body) {

    public HttpPayload {
        headers = Map.copyOf(headers);
    }
}
