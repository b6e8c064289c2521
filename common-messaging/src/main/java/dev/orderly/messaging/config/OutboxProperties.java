package dev.orderly.messaging.config;

import dev.orderly.messaging.outbox.OutboxTable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where a service writes its events, under {@code orderly.outbox}: the one setting of the outbox writer every
 * producing service shares (order-api, the workers).
 *
 * @param table the schema-qualified outbox table, such as {@code orders.outbox}; the relay drains the same table
 */
@ConfigurationProperties("orderly.outbox")
public record OutboxProperties(String table) {

    public OutboxProperties {
        OutboxTable.parse(table);
    }

    /** The table, parsed. */
    public OutboxTable outboxTable() {
        return OutboxTable.parse(table);
    }
}
