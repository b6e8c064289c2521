package dev.orderly.relay.publishing;

import dev.orderly.messaging.outbox.OutboxTable;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one table's drainer, for health details and logs.
 *
 * @param table the outbox table
 * @param active whether this instance holds the table's lease (the others stand by)
 * @param state what the drainer is doing
 * @param failing the row that blocks the table after repeated failed attempts, if any
 * @param consecutiveFailures failed batches since the last success
 * @param alive whether the drainer's thread is running (false only after shutdown, or if it died of an error)
 */
public record TableStatus(
        OutboxTable table,
        boolean active,
        State state,
        @Nullable FailingRow failing,
        int consecutiveFailures,
        boolean alive) {

    /** What a drainer is doing. */
    public enum State {
        /** Not yet running. */
        STARTING,
        /** Another instance holds the lease; this one retries periodically. */
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
