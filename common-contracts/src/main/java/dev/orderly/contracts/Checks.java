package dev.orderly.contracts;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Argument checks shared by the event records.
 *
 * <p>Invariant: each check enforces the same bound as the JSON Schema of the field it guards, so a record that
 * could be constructed always serialises to schema-valid JSON.
 */
final class Checks {

    /** Largest integer a JSON number holds exactly in every common parser (2^53 - 1). */
    static final long MAX_CENTS = 9_007_199_254_740_991L;

    static final int ID_MAX_LENGTH = 64;
    static final int TEXT_MAX_LENGTH = 255;

    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private Checks() {}

    static <T> T notNull(T value, String name) {
        return Objects.requireNonNull(value, () -> name + " must not be null");
    }

    static String text(String value, String name, int maxLength) {
        notNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(
                    name + " must be at most " + maxLength + " characters, was " + value.length());
        }
        return value;
    }

    static String currency(String value) {
        notNull(value, "currency");
        if (!CURRENCY.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "currency must be an ISO 4217 code of three upper-case letters, was '" + value + "'");
        }
        return value;
    }

    static long cents(long value, String name) {
        if (value < 0 || value > MAX_CENTS) {
            throw new IllegalArgumentException(name + " must be between 0 and " + MAX_CENTS + ", was " + value);
        }
        return value;
    }

    static int positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + value);
        }
        return value;
    }

    static int nonNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /** An immutable copy of a list that must hold at least one element and no null. */
    static <T> List<T> nonEmptyList(List<T> values, String name) {
        notNull(values, name);
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + " must hold at least one element");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw new NullPointerException(name + "[" + i + "] must not be null");
            }
        }
        return List.copyOf(values);
    }
}
