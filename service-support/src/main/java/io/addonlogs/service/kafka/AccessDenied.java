package io.addonlogs.service.kafka;

import java.time.Duration;
import java.util.Optional;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;

/**
 * Kafka refusing a client: who it is (authentication: SASL credentials, TLS trust or client certificate) or what it
 * may do (authorization: ACLs). Retrying at the client's own pace would print a line a second forever, and treating
 * it as fatal would need a restart once the operator fixed the user; so it is retried every {@link #RETRY}, each
 * time with one clear log line, and the instance stays not ready until it succeeds.
 */
public final class AccessDenied {

    public static final Duration RETRY = Duration.ofSeconds(10);

    private AccessDenied() {
    }

    /** The authentication or authorization failure in {@code error}'s cause chain, if any. */
    public static Optional<RuntimeException> in(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof AuthenticationException || e instanceof AuthorizationException) {
                return Optional.of((RuntimeException) e);
            }
        }
        return Optional.empty();
    }

    /** One line (no stack trace: the message says it all) naming the client, the failure and what to check. */
    public static void log(Logger log, String client, RuntimeException denied) {
        if (denied instanceof AuthenticationException) {
            log.error("Kafka authentication failed for {}: {} (check KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_*, "
                    + "KAFKA_SSL_*); retrying every {} s, not ready until then", client, denied.getMessage(),
                    RETRY.toSeconds());
        } else {
            log.error("Kafka authorization failed for {}: {} (check the user's ACLs); retrying every {} s, "
                    + "not ready until then", client, denied.getMessage(), RETRY.toSeconds());
        }
    }
}
