package io.addonlogs.consumer.auth;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.vertx.core.http.HttpServerRequest;

/**
 * Verifies viewer tokens: HS256 JWTs with {@code exp} and the claims {@code owners} and/or {@code addons}, taken
 * from {@code Authorization: Bearer}, the {@code oauth_token} of an OAuth PLAINTEXT header, or the
 * {@code access_token} query parameter (browsers' EventSource cannot set headers).
 */
public final class ViewerAuth {

    private static final Pattern OAUTH_TOKEN = Pattern.compile("oauth_token=\"([^\"]*)\"");

    private final MACVerifier verifier;

    public ViewerAuth(String secret) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("VIEWER_JWT_SECRET is not a usable HS256 key: " + e.getMessage(), e);
        }
    }

    /** The viewer, or a reason for a 401. */
    public sealed interface Result permits Allowed, Denied {
    }

    public record Allowed(Viewer viewer) implements Result {
    }

    public record Denied(String reason) implements Result {
    }

    public Result authenticate(HttpServerRequest request) {
        String token = tokenOf(request);
        if (token == null) {
            return new Denied("missing viewer token (Authorization: Bearer, OAuth oauth_token or access_token)");
        }
        return verify(token);
    }

    Result verify(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return new Denied("invalid viewer token signature");
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (claims.getExpirationTime() == null) {
                return new Denied("viewer token has no exp");
            }
            if (!claims.getExpirationTime().toInstant().isAfter(Instant.now())) {
                return new Denied("viewer token expired");
            }
            return new Allowed(new Viewer(set(claims.getStringListClaim("owners")),
                    set(claims.getStringListClaim("addons"))));
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return new Denied("malformed viewer token");
        }
    }

    private static Set<String> set(List<String> values) {
        return values == null ? Set.of() : Set.copyOf(new HashSet<>(values));
    }

    static String tokenOf(HttpServerRequest request) {
        String header = request.getHeader("Authorization");
        if (header != null) {
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return header.substring(7).trim();
            }
            if (header.regionMatches(true, 0, "OAuth ", 0, 6)) {
                Matcher m = OAUTH_TOKEN.matcher(header);
                return m.find() ? m.group(1) : null;
            }
        }
        return request.getParam("access_token");
    }
}
