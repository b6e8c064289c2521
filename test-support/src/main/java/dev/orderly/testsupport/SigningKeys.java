package dev.orderly.testsupport;

import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Generates the local authorization server's token-signing key: what {@code ./orderly up} writes into its state
 * directory, {@code ./orderly compose-env} into compose's {@code .env}, and the auth-server's tests use.
 *
 * <p>Invariant: the key is a new 2048-bit RSA private key (RS256) as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE
 * KEY}), the one format the auth-server reads; it holds the public key's modulus and exponent, so the public key is
 * derived from it and the two can never disagree.
 */
public final class SigningKeys {

    private static final int BITS = 2048;

    private SigningKeys() {}

    /** A new RSA private key, PKCS#8 PEM, ending with a newline. */
    public static String generatePem() {
        KeyPairGenerator generator;
        try {
            generator = KeyPairGenerator.getInstance("RSA");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM cannot generate RSA keys", e);
        }
        generator.initialize(BITS);
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n";
    }
}
