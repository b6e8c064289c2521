package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxPartition;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of the drainer of one table's partition (the whole table unless it is divided), for health details and
 * logs.
 *
 * @param partition the outbox table's partition
 * @param active whether this instance holds the partition's lease (the others stand by)
 * @param state what the drainer is doing
 * @param failing the row that blocks the table after repeated failed attempts, if any
 * @param consecutiveFailures failed batches since the last success
 * @param alive whether the drainer's thread is running (false only after shutdown, or if it died of an error)
 * @param disagreement why this instance may not publish the table at all (another instance divides it into another
 *     number of partitions), or null
 */
public record TableStatus(
        OutboxPartition partition,
        boolean active,
        State state,
        @Nullable FailingRow failing,
        int consecutiveFailures,
        boolean alive,
        @Nullable String disagreement) {

    /** The outbox table. */
    public OutboxTable table() {
        return partition.table();
    }

    /** What a drainer is doing. */
    public enum State {
        /** Not yet running. */
        STARTING,
        /** Another instance holds the lease (or this one holds its share of the partitions); it retries periodically. */
        STANDBY,
        /** Active, nothing to publish: waiting for a notification or the next poll. */
        IDLE,
        /** Active and publishing a batch. */
        PUBLISHING,
        /** Active, pausing after a failure before trying again. */
        BACKING_OFF,
        /** Active, paused because RabbitMQ blocks the connection (memory or disk alarm). */
        BLOCKED,
        /** Active, paused because the circuit breaker is open. */
        CIRCUIT_OPEN,
        /** Shut down; the lease is released. */
        STOPPED
    }

    /**
     * The row at the head of a table that keeps failing. Rows go out in order, so it holds back every later row of its
     * table until it is published (or an operator marks it published by hand).
     *
     * @param id the row's id
     * @param eventId its event id (the AMQP {@code message_id})
     * @param eventType its event type
     * @param attempts failed attempts so far
     * @param lastError the reason of the last failure, as recorded on the row
     */
    public record FailingRow(long id, UUID eventId, String eventType, int attempts, String lastError) {}
}
