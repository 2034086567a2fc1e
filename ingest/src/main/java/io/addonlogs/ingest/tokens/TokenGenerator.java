package io.addonlogs.ingest.tokens;

import java.security.SecureRandom;
import java.util.Base64;

/** New log tokens: {@code lt_} + 192 random bits in URL-safe base64 (35 characters, within APP-NAME's 48). */
final class TokenGenerator {

    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenGenerator() {
    }

    static String next() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return "lt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
