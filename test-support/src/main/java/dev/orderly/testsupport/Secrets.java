package dev.orderly.testsupport;

import java.security.SecureRandom;

/**
 * Generates passwords and Erlang cookies: those of one JVM's test servers, and those {@code ./orderly} writes into
 * its state directory.
 *
 * <p>Invariant: values are letters and digits only, so they need no quoting in rabbitmq.conf, pg_ctl options or URLs.
 */
public final class Secrets {

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** 24 letters and digits. */
    public static String generate() {
        return generate(24);
    }

    /** {@code length} letters and digits. */
    public static String generate(int length) {
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return value.toString();
    }
}
