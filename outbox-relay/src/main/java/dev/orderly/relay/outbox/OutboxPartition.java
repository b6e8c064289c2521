package dev.orderly.relay.outbox;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.RelayProperties;

/**
 * One of the {@code count} partitions of an outbox table: the rows whose aggregate hashes to {@code index}. Each
 * partition has a lease of its own, so as many relay instances as there are partitions can publish one table side by
 * side, while every aggregate's events, all in one partition, keep going out in order from one place.
 *
 * <p>The hash is PostgreSQL's {@code hashtextextended(aggregate_id, 0)}, computed by the server in the relay's query:
 * every instance asks the same server, so all of them agree on which rows a partition holds without a column of its
 * own or a migration, and the count can change with the relays' configuration alone. (Should a major upgrade of
 * PostgreSQL ever change the function, the rows would move between partitions with the upgrade, for every instance at
 * once: the order of an aggregate's events would still hold, since one instance at a time publishes each partition.)
 *
 * <p>Invariant: {@code 0 <= index < count <= MAX_COUNT}; with {@code count} 1 the only partition is the whole table,
 * read without any filter, and its lease is the table's lease of the relays that came before partitions.
 *
 * @param table the outbox table
 * @param index which partition, from 0
 * @param count how many partitions the table is divided into
 */
public record OutboxPartition(OutboxTable table, int index, int count) {

    /** The most partitions a table can be divided into ({@code orderly.relay.partitions}). */
    public static final int MAX_COUNT = RelayProperties.MAX_PARTITIONS;

    public OutboxPartition {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException(
                    "an outbox table has 1 to %d partitions, not %d".formatted(MAX_COUNT, count));
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("partition %d of %d does not exist".formatted(index, count));
        }
    }

    /** The whole table as its one partition. */
    public static OutboxPartition whole(OutboxTable table) {
        return new OutboxPartition(table, 0, 1);
    }

    /** Whether this is the whole table (a count of 1). */
    public boolean isWhole() {
        return count == 1;
    }

    /**
     * The condition that selects this partition's rows, to append to a {@code WHERE} clause: empty for the whole
     * table. The sign bit is masked off so that the remainder is never negative.
     */
    String condition() {
        return isWhole()
                ? ""
                : " AND mod(pg_catalog.hashtextextended(aggregate_id, 0) & 9223372036854775807, %d) = %d"
                        .formatted(count, index);
    }

    /** {@code orders.outbox} for the whole table, {@code orders.outbox#2/4} for partition 2 of 4: logs, names. */
    @Override
    public String toString() {
        return isWhole() ? table.qualifiedName() : table.qualifiedName() + "#" + index + "/" + count;
    }
}
