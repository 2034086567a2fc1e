package io.addonlogs.drain.format;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import io.addonlogs.common.drains.DrainDefinition;
import io.addonlogs.common.drains.DrainRecipient;
import io.addonlogs.common.drains.DrainType;

/**
 * The body and headers of one HTTP delivery, per drain type. {@code batchId} names the batch (the drain, its
 * partition and first offset): the same lines retried carry the same id, so a receiver can drop a repeat.
 */
public interface HttpFormat {

    HttpPayload payload(List<DrainLine> lines, String batchId);

    /** Whether a 2xx answer's body says every line was taken (Elasticsearch answers 200 with per-item errors). */
    default String rejection(byte[] answer) {
        return null;
    }

    static HttpFormat of(DrainDefinition drain) {
        DrainRecipient r = drain.recipient();
        return switch (r.type()) {
            case RAW_HTTP -> new LogplexFormat(drain);
            case ELASTICSEARCH -> new ElasticsearchFormat(r);
            case DATADOG -> new DatadogFormat(r);
            case NEWRELIC -> new NewRelicFormat(r);
            case BETTERSTACK -> new BetterStackFormat(r);
            case SYSLOG_TCP, SYSLOG_UDP, OVH_TCP -> throw new IllegalArgumentException(r.type() + " is not HTTP");
        };
    }

    /** {@code Basic base64(user:password)} from the recipient's fields or the URL's user info; null without either. */
    static String basicAuth(DrainRecipient r) {
        String user = r.username();
        String password = r.password() == null ? null : r.password().reveal();
        String info = r.uri().getUserInfo();
        if (user == null && password == null && info != null) {
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            password = colon < 0 ? "" : info.substring(colon + 1);
        }
        if (user == null && password == null) {
            return null;
        }
        String pair = (user == null ? "" : user) + ":" + (password == null ? "" : password);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /** True for types whose URL is HTTP. */
    static boolean isHttp(DrainType type) {
        return !type.syslog();
    }
}
