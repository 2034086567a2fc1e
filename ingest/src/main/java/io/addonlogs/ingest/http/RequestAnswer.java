package io.addonlogs.ingest.http;

import io.addonlogs.ingest.http.RequestState.Event;
import io.addonlogs.ingest.kafka.IngestMetrics;
import io.addonlogs.service.http.JsonError;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes the one answer of a {@link LogsRequest} once it is due: the status follows from what ended reading and
 * from the frame verdict (docs/api.md), and the connection is closed when the rest of the body was not read.
 */
final class RequestAnswer {

    private final HttpServerRequest request;
    private final IngestLimits limits;
    private final IngestMetrics metrics;

    RequestAnswer(HttpServerRequest request, IngestLimits limits, IngestMetrics metrics) {
        this.request = request;
        this.limits = limits;
        this.metrics = metrics;
    }

    /** Kafka failed or timed out: 503 at once, whatever was read. */
    void kafkaUnavailable(Event ending, String problem) {
        request.response().putHeader("Retry-After", String.valueOf(limits.retryAfterSeconds()));
        respond(ending, 503, JsonError.body("kafka_unavailable", problem));
    }

    /** Every published frame is acknowledged: the verdict, given what ended reading. */
    void verdict(Event ending, FrameVerdict verdict, Integer expectedCount) {
        String stored = verdict.accepted() + " accepted frames are stored: do not resend them";
        if (ending == Event.TOKEN_REVOKED) {
            request.response().putHeader("WWW-Authenticate", "Basic realm=\"logs\"");
            respond(ending, 401, verdict.toJson("token_revoked", "the log token was revoked during the request; "
                    + stored));
        } else if (ending == Event.BODY_TIMED_OUT) {
            respond(ending, 408, verdict.toJson("body_timeout", "the body did not arrive within "
                    + limits.bodyTimeoutSeconds() + " s; " + stored));
        } else if (verdict.framingBroken()) {
            respond(ending, 400, verdict.toJson("bad_framing", "framing is broken; " + stored));
        } else if (ending == Event.BODY_TOO_LARGE) {
            respond(ending, 413, verdict.toJson("body_too_large", "body exceeds " + limits.maxBodyBytes()
                    + " bytes; " + stored));
        } else if (expectedCount != null && expectedCount != verdict.frames()) {
            respond(ending, 400, verdict.toJson("msg_count_mismatch", "Logplex-Msg-Count is " + expectedCount
                    + " but the body has " + verdict.frames() + " frames; " + stored));
        } else if (!verdict.allAccepted()) {
            respond(ending, 400, verdict.toJson("invalid_frames", "some frames were rejected; " + stored));
        } else {
            respond(ending, 204, null);
        }
    }

    private void respond(Event ending, int status, JsonObject json) {
        metrics.request(status, json == null ? null : json.getString("code"));
        HttpServerResponse response = request.response();
        if (ending != Event.BODY_ENDED) {
            // the rest of the body will not be read: what follows it is no request of ours
            ConnectionGuard.closeAfterAnswer(request);
        }
        if (json == null) {
            response.setStatusCode(status).end();
        } else {
            JsonError.send(response, status, json);
        }
    }
}
