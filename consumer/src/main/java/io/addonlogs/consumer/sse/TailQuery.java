package io.addonlogs.consumer.sse;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

import io.addonlogs.common.model.LogEvent;
import io.addonlogs.common.syslog.Severity;
import io.addonlogs.consumer.kafka.Cursor;
import io.vertx.core.http.HttpServerRequest;

/**
 * What a viewer asked for: {@code since}, {@code until} (ISO-8601), {@code limit}, {@code Last-Event-ID} (wins over
 * {@code since}), {@code tail} (start at the add-on's last {@code tail} lines the filters pass, at most
 * {@link #MAX_TAIL}; with {@code since}, those after it), and the filters, all of which a line must pass: {@code filter} (substring of the message),
 * {@code severity} (that level and worse), {@code service} (MSGID), {@code instanceId} (PROCID) and {@code hostname}
 * (exact); {@code throttleElements} per {@code throttlePerInMilliseconds} (both above 0, else no throttle; 0 in
 * {@code throttleElements} when none); {@code hiddenCounts=true}: tell the count of lines the filters hid
 * ({@code HIDDEN} events, see {@link EventEncoder}). {@code field} and {@code deploymentId} are accepted and ignored.
 */
record TailQuery(Instant since, Instant until, Integer limit, Integer tail, String filter, Severity severity, String service,
                 String instanceId, String hostname, Map<Integer, Long> resumeFrom, int throttleElements,
                 long throttlePerMillis, boolean hiddenCounts) {

    /** Larger values are taken as these: a window of a minute at most, a budget no stream reaches anyway. */
    static final int MAX_THROTTLE_ELEMENTS = 1_000_000;
    static final long MAX_THROTTLE_PER_MILLIS = 60_000;
    static final int MAX_TAIL = 10_000;

    /** True when every line is wanted: no filter, no limit, no until. */
    boolean takesEverything() {
        return filter == null && severity == null && service == null && instanceId == null && hostname == null
                && limit == null && until == null;
    }

    /** Whether a line passes every filter of this query. */
    boolean matches(LogEvent event, Severity lineSeverity) {
        return (filter == null || event.message().contains(filter))
                && (severity == null || lineSeverity.code() <= severity.code())
                && (service == null || service.equals(event.service()))
                && (instanceId == null || instanceId.equals(event.instanceId()))
                && (hostname == null || hostname.equals(event.hostname()));
    }

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
            Integer tail = null;
            String rawTail = blankToNull(request.getParam("tail"));
            if (rawTail != null) {
                try {
                    tail = Integer.valueOf(rawTail.trim());
                } catch (NumberFormatException e) {
                    tail = -1;
                }
                if (tail < 1 || tail > MAX_TAIL) {
                    throw new IllegalArgumentException("tail must be a number of lines from 1 to " + MAX_TAIL);
                }
            }
            String filter = request.getParam("filter");
            String severityName = blankToNull(request.getParam("severity"));
            Severity severity = severityName == null ? null : Severity.named(severityName);
            if (severityName != null && severity == null) {
                throw new IllegalArgumentException("severity must be one of emerg, alert, crit, err, warning, notice, "
                        + "info, debug (or 0-7)");
            }
            String lastEventId = request.getHeader("Last-Event-ID");
            Map<Integer, Long> resume = null;
            if (lastEventId != null && !lastEventId.isBlank()) {
                Optional<Map<Integer, Long>> cursor = Cursor.decode(lastEventId);
                if (cursor.isEmpty()) {
                    throw new IllegalArgumentException("Last-Event-ID is not a cursor of this service");
                }
                resume = cursor.get();
            }
            long elements = throttleParam(request, "throttleElements", MAX_THROTTLE_ELEMENTS);
            long perMillis = throttleParam(request, "throttlePerInMilliseconds", MAX_THROTTLE_PER_MILLIS);
            boolean throttled = elements > 0 && perMillis > 0;
            String hiddenCounts = blankToNull(request.getParam("hiddenCounts"));
            if (hiddenCounts != null && !hiddenCounts.equals("true") && !hiddenCounts.equals("false")) {
                throw new IllegalArgumentException("hiddenCounts must be true or false");
            }
            return new TailQuery(since, until, limit, tail, filter == null || filter.isEmpty() ? null : filter, severity,
                    blankToNull(request.getParam("service")), blankToNull(request.getParam("instanceId")),
                    blankToNull(request.getParam("hostname")), resume, throttled ? (int) elements : 0,
                    throttled ? perMillis : 0, "true".equals(hiddenCounts));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("limit must be a positive number", e);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("since and until must be ISO-8601 date-times, e.g. 2026-11-23T10:00:00Z", e);
        }
    }

    /**
     * A throttle parameter, capped at {@code max}; 0 when absent. Not a whole number, or negative: a 400 (the
     * platform's clients send them on every tail: one sent wrong must not be silently dropped).
     */
    private static long throttleParam(HttpServerRequest request, String name, long max) {
        String raw = blankToNull(request.getParam(name));
        if (raw == null) {
            return 0;
        }
        long value;
        try {
            value = Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of at least 0", e);
        }
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be a whole number of at least 0");
        }
        return Math.min(value, max);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static Instant instant(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return OffsetDateTime.parse(value.trim()).toInstant();
    }
}
