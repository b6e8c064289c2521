package dev.orderly.testsupport;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Generates the local authorization server's token-signing key: what {@code ./orderly up} writes into its state
 * directory, {@code ./orderly compose-env} into compose's {@code .env}, and the auth-server's tests use; and the key
 * pairs that tests sign their own tokens with ({@link TestKeys}).
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
        return pem("PRIVATE KEY", generateKeyPair().getPrivate().getEncoded());
    }

    /** A new 2048-bit RSA key pair, for what signs tokens in tests ({@link TestKeys}). */
    public static KeyPair generateKeyPair() {
        KeyPairGenerator generator;
        try {
            generator = KeyPairGenerator.getInstance("RSA");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JVM cannot generate RSA keys", e);
        }
        generator.initialize(BITS);
        return generator.generateKeyPair();
    }

    /** {@code der} as PEM with the label {@code label} ({@code PRIVATE KEY}, {@code PUBLIC KEY}), lines of 64. */
    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
