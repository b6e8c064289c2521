package dev.orderly.testsupport;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Generates message-signing keys (docs/common-messaging.md#signed-messages): what {@code ./orderly up} writes into its
 * settings, {@code ./orderly compose-env} into compose's {@code .env}, and {@link TestMessageKeys} gives this JVM's
 * tests.
 *
 * <p>Invariant: a key is 32 bytes from {@link SecureRandom} (HMAC-SHA256's own size), as standard base64 (44
 * characters, one {@code =} of padding), the form {@code orderly.messaging.signing.keys.<id>} takes.
 */
public final class HmacKeys {

    private static final int BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private HmacKeys() {}

    /** A new key, base64. */
    public static String generate() {
        byte[] key = new byte[BYTES];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
