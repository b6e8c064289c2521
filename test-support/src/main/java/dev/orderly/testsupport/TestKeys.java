package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * The RSA key pairs that this JVM's tests sign access tokens with ({@link TestTokens}): the one every test context's
 * resource server trusts, and another that no context trusts, for tokens that must be refused. Each is generated on
 * first use, once per JVM, and never leaves it but as the trusted public key's PEM file.
 *
 * <p>Only the JDK is used here, so that a context of a service without Spring Security (which still gets the
 * {@link #PUBLIC_KEY_LOCATION} property from {@link RealInfrastructure}) never needs a JOSE library on its class path.
 *
 * <p>Invariant: the trusted key's public half is in exactly one file, {@link #publicKeyLocation()}, written before its
 * location is first handed out and deleted when the JVM exits.
 */
public final class TestKeys {

    /** Spring Boot's property naming the public key a resource server checks tokens against. */
    public static final String PUBLIC_KEY_LOCATION = "spring.security.oauth2.resourceserver.jwt.public-key-location";

    private TestKeys() {}

    /** The key pair that signs the tokens every test context trusts. */
    public static KeyPair trusted() {
        return Trusted.KEYS;
    }

    /** A key pair that no test context trusts: a token it signs is forged. */
    public static KeyPair untrusted() {
        return Untrusted.KEYS;
    }

    /**
     * Where the trusted public key is, as X.509 PEM ({@code BEGIN PUBLIC KEY}), in the form {@link #PUBLIC_KEY_LOCATION}
     * takes: {@code file:/tmp/orderly-test-key-....pem}.
     */
    public static String publicKeyLocation() {
        return "file:" + Trusted.PUBLIC_KEY_FILE;
    }

    /** Holder idiom: the pair, and its file, only once a test asks for them. */
    private static final class Trusted {

        static final KeyPair KEYS = SigningKeys.generateKeyPair();
        static final Path PUBLIC_KEY_FILE = write(KEYS);

        private static Path write(KeyPair keys) {
            try {
                Path file = Files.createTempFile("orderly-test-key-", ".pem");
                file.toFile().deleteOnExit();
                Files.writeString(
                        file, SigningKeys.pem("PUBLIC KEY", keys.getPublic().getEncoded()), StandardCharsets.US_ASCII);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the tests' public key to a temporary file", e);
            }
        }
    }

    private static final class Untrusted {

        static final KeyPair KEYS = SigningKeys.generateKeyPair();
    }
}
