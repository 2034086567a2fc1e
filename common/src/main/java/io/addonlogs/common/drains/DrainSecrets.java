package io.addonlogs.common.drains;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals drain secrets at rest: AES-256-GCM under the key of {@code DRAINS_SECRET_KEY} (base64 of 32 bytes), a fresh
 * 96-bit nonce per value, and the drain id as associated data, so a sealed value copied into another drain's record
 * does not open. Sealed text is {@code v1:} + base64(nonce || ciphertext || tag); the version prefix leaves room for
 * a key rotation (a {@code v2:} under a new key, both keys read during the switch).
 */
public final class DrainSecrets {

    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private DrainSecrets(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** The key from its base64 text; throws {@link IllegalArgumentException} naming the setting if it is not 32 bytes. */
    public static DrainSecrets fromBase64(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DRAINS_SECRET_KEY must be base64 (of 32 random bytes)", e);
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("DRAINS_SECRET_KEY must be the base64 of 32 bytes, got " + key.length);
        }
        return new DrainSecrets(key);
    }

    public String seal(Secret secret, String drainId) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(drainId.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(secret.reveal().getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every Java 17 runtime", e);
        }
    }

    /** The secret; {@link IllegalArgumentException} if it was not sealed by this key for this drain. */
    public Secret open(String sealed, String drainId) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a sealed drain secret");
        }
        try {
            byte[] in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
            if (in.length <= NONCE_BYTES) {
                throw new IllegalArgumentException("sealed drain secret too short");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(drainId.getBytes(StandardCharsets.UTF_8));
            byte[] clear = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return Secret.of(new String(clear, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("a drain secret does not open with DRAINS_SECRET_KEY (another key?)", e);
        }
    }

    @Override
    public String toString() {
        return "DrainSecrets[key=<set>]";
    }
}
