package dev.orderly.messaging.consumer;

import dev.orderly.contracts.EventData;

/**
 * Applies one event type's effect: the state change and the outbox rows for the next events.
 *
 * <p>Invariant: called inside the runtime's transaction, after the event id was recorded as processed; it never acks,
 * retries, parks or publishes itself. It signals failure only by throwing: {@link TransientFailure} (or a transient
 * infrastructure exception) to be retried later, {@link PermanentFailure} (or anything else) to be parked.
 *
 * @param <D> the payload type it handles
 */
@FunctionalInterface
public interface EventHandler<D extends EventData> {

    void handle(InboundEvent<D> event);
}
