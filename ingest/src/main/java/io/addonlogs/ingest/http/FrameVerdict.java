package io.addonlogs.ingest.http;

import io.addonlogs.common.frame.FramingError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What happened to the frames of one request: counts, the first rejections in detail, and the framing error if
 * framing broke. Becomes the JSON body of a 400 or 413 (see docs/api.md).
 */
final class FrameVerdict {

    static final int DETAILED_REJECTIONS = 10;

    private int accepted;
    private int rejected;
    private final JsonArray rejections = new JsonArray();
    private FramingError framingError;

    void accept() {
        accepted++;
    }

    void reject(int frame, long offset, String reason) {
        rejected++;
        if (rejections.size() < DETAILED_REJECTIONS) {
            rejections.add(new JsonObject().put("frame", frame).put("offset", offset).put("reason", reason));
        }
    }

    void framingBroken(FramingError error) {
        framingError = error;
    }

    int accepted() {
        return accepted;
    }

    int frames() {
        return accepted + rejected;
    }

    boolean allAccepted() {
        return rejected == 0 && framingError == null;
    }

    boolean framingBroken() {
        return framingError != null;
    }

    JsonObject toJson(String code, String error) {
        JsonObject json = new JsonObject()
                .put("code", code)
                .put("error", error)
                .put("accepted", accepted)
                .put("rejected", rejected)
                .put("rejections", rejections);
        if (framingError != null) {
            json.put("framingError", new JsonObject().put("offset", framingError.offset())
                    .put("reason", framingError.reason()));
        }
        return json;
    }
}
