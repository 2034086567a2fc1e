package io.addonlogs.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds logplex bodies. */
final class Frames {

    private Frames() {
    }

    static String line(String token, String msg) {
        return "<190>1 2026-11-23T10:11:12.345+00:00 pg-addon-1 " + token + " postgres.1 - - " + msg;
    }

    static String frame(String msg) {
        return msg.getBytes(StandardCharsets.UTF_8).length + " " + msg;
    }

    static String body(List<String> lines) {
        StringBuilder body = new StringBuilder();
        lines.forEach(l -> body.append(frame(l)));
        return body.toString();
    }
}
