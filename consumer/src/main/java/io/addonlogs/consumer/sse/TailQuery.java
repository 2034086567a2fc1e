package io.addonlogs.consumer.sse;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

import io.addonlogs.consumer.kafka.Cursor;
import io.vertx.core.http.HttpServerRequest;

/**
 * What a viewer asked for: {@code since}, {@code until} (ISO-8601), {@code limit}, {@code filter} (substring of the
 * message) and {@code Last-Event-ID} (wins over {@code since}). {@code field}, {@code instanceId},
 * {@code deploymentId} and {@code throttle*} are accepted and ignored.
 */
record TailQuery(Instant since, Instant until, Integer limit, String filter, Map<Integer, Long> resumeFrom) {

    /** The query; throws {@link IllegalArgumentException} with a reason for a 400. */
    static TailQuery parse(HttpServerRequest request) {
        try {
            Instant since = instant(request.getParam("since"));
            Instant until = instant(request.getParam("until"));
            Integer limit = null;
            String rawLimit = request.getParam("limit");
            if (rawLimit != null && !rawLimit.isBlank()) {
                limit = Integer.valueOf(rawLimit.trim());
                if (limit < 1) {
                    throw new IllegalArgumentException("limit must be a positive number");
                }
            }
            String filter = request.getParam("filter");
            String lastEventId = request.getHeader("Last-Event-ID");
            Map<Integer, Long> resume = null;
            if (lastEventId != null && !lastEventId.isBlank()) {
                Optional<Map<Integer, Long>> cursor = Cursor.decode(lastEventId);
                if (cursor.isEmpty()) {
                    throw new IllegalArgumentException("Last-Event-ID is not a cursor of this service");
                }
                resume = cursor.get();
            }
            return new TailQuery(since, until, limit, filter == null || filter.isEmpty() ? null : filter, resume);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be a positive number", e);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("since and until must be ISO-8601 date-times, e.g. 2026-11-23T10:00:00Z", e);
        }
    }

    private static Instant instant(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return OffsetDateTime.parse(value.trim()).toInstant();
    }
}
