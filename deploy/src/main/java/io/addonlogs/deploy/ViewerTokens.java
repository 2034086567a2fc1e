package io.addonlogs.deploy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Mints viewer tokens as the platform would (HS256, {@code owners}, {@code exp}): for the local demo. */
public final class ViewerTokens {

    private ViewerTokens() {
    }

    public static String mint(String secret, String ownerId, Duration validity) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder()
                    .subject("local-demo-viewer")
                    .claim("owners", List.of(ownerId))
                    .expirationTime(Date.from(Instant.now().plus(validity)))
                    .build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the demo viewer token", e);
        }
    }
}
