package io.addonlogs.consumer.auth;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;

/**
 * Viewer tokens signed by the platform with the shared HS256 key: {@code exp}, and the claims {@code owners}
 * and/or {@code addons}; {@code sub} and {@code name} name the viewer.
 */
final class JwtViewers {

    /** What a token turned out to be. */
    sealed interface Verdict permits Valid, Invalid, NotOurs {
    }

    record Valid(Viewer viewer) implements Verdict {
    }

    /** Signed with our key, but not usable (expired, no exp, bad claims): final, whatever else is configured. */
    record Invalid(String reason) implements Verdict {
    }

    /** Not a JWT signed with our key: another authority (the platform's sign-in) may know it. */
    record NotOurs(String reason) implements Verdict {
    }

    /** exp required and in the future, nbf (if any) in the past; no clock skew, as the stream ends at exp. */
    private static final DefaultJWTClaimsVerifier<SecurityContext> CLAIMS = claimsVerifier();

    private final MACVerifier verifier;

    private static DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier() {
        DefaultJWTClaimsVerifier<SecurityContext> verifier = new DefaultJWTClaimsVerifier<>(null, Set.of("exp"));
        verifier.setMaxClockSkew(0);
        return verifier;
    }

    JwtViewers(String secret) {
        try {
            this.verifier = new MACVerifier(secret.getBytes(StandardCharsets.UTF_8));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("VIEWER_JWT_SECRET is not a usable HS256 key: " + e.getMessage(), e);
        }
    }

    Verdict verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return new NotOurs("invalid viewer token signature");
            }
        } catch (ParseException | JOSEException | IllegalStateException e) {
            return new NotOurs("malformed viewer token");
        }
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            try {
                CLAIMS.verify(claims, null);
            } catch (BadJWTException e) {
                return new Invalid("viewer token refused: " + e.getMessage());
            }
            if (claims.getIssueTime() != null && claims.getIssueTime().toInstant().isAfter(Instant.now())) {
                return new Invalid("viewer token refused: issued in the future (iat)");
            }
            List<String> ownerIds = list(claims.getStringListClaim("owners"));
            List<String> addonIds = list(claims.getStringListClaim("addons"));
            if (ownerIds.stream().anyMatch(Objects::isNull) || addonIds.stream().anyMatch(Objects::isNull)) {
                return new Invalid("viewer token has null owners or addons");
            }
            // without sub, the token itself is the identity (per-viewer limits count its streams)
            String id = claims.getSubject() != null ? claims.getSubject() : "jwt-" + Integer.toHexString(token.hashCode());
            String name = claims.getStringClaim("name");
            Map<String, String> owners = new HashMap<>();
            ownerIds.forEach(owner -> owners.put(owner, owner));
            return new Valid(new Viewer(id, name == null ? id : name, owners, new HashSet<>(addonIds),
                    claims.getExpirationTime().toInstant()));
        } catch (ParseException e) {
            return new Invalid("viewer token has malformed claims: " + e.getMessage());
        }
    }

    private static List<String> list(List<String> values) {
        return values == null ? List.of() : values;
    }
}
