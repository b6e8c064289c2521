package dev.orderly.testsupport;

import java.security.SecureRandom;

/**
 * Generates the throwaway passwords and Erlang cookie of one JVM's test servers.
 *
 * <p>Invariant: values are letters and digits only, so they need no quoting in rabbitmq.conf, pg_ctl options or URLs.
 */
final class Secrets {

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    static String generate() {
        return generate(24);
    }

    static String generate(int length) {
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return value.toString();
    }
}
