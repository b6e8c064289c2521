package dev.orderly.messaging.outbox;

import java.util.regex.Pattern;

/**
 * The schema-qualified name of one service's outbox table, such as {@code orders.outbox}.
 *
 * <p>The name is written into SQL text (identifiers cannot be bind parameters), so it is checked against a strict
 * identifier pattern here, once, and never taken from anything but configuration.
 *
 * @param schema the schema that owns the table
 * @param table the table's name within the schema
 */
public record OutboxTable(String schema, String table) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public OutboxTable {
        requireIdentifier(schema, "schema");
        requireIdentifier(table, "table");
    }

    /**
     * Parses a qualified name such as {@code payments.outbox}.
     *
     * @throws IllegalArgumentException if the name is not {@code schema.table} in lower-case SQL identifiers
     */
    public static OutboxTable parse(String qualifiedName) {
        int dot = qualifiedName.indexOf('.');
        if (dot < 0 || dot != qualifiedName.lastIndexOf('.')) {
            throw new IllegalArgumentException(
                    "Outbox table '%s' must be schema-qualified, like 'orders.outbox'".formatted(qualifiedName));
        }
        return new OutboxTable(qualifiedName.substring(0, dot), qualifiedName.substring(dot + 1));
    }

    /** The name as written in SQL, {@code schema.table}. */
    public String qualifiedName() {
        return schema + "." + table;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }

    private static void requireIdentifier(String value, String what) {
        if (!IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(("Outbox %s name '%s' is not a plain lower-case SQL identifier "
                            + "(letters, digits, underscores; at most 63 characters)")
                    .formatted(what, value));
        }
    }
}
