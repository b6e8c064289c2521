package dev.orderly.messaging.consumer;

import java.util.List;

/**
 * Runs first in the transaction of a batch of deliveries, before any of its handlers, to do at once what the handlers
 * would otherwise do one after the other (registered with {@link EventHandlers.Builder#beforeBatch}): take the row
 * locks the handlers are about to take, all at once and in one global order (order-worker), or start the provider
 * calls they are about to make, all together ({@link dev.orderly.messaging.resilience.CallsAhead}: payment- and
 * shipping-worker).
 *
 * <p>Why: one handler alone can lock its rows in a fixed order, but a batch applies many handlers in one transaction,
 * in delivery order, so two batches on two consumers could take the same rows in opposite orders and deadlock. That
 * deadlock would cost nothing in correctness (PostgreSQL aborts one transaction and its batch falls back to one
 * transaction per delivery), but a second of {@code deadlock_timeout} and a batch's worth of work each time.
 *
 * <p>Invariant: it changes nothing the handlers would not change alone (a lock, an idempotent call they make anyway)
 * and never fails for a reason one of the handlers would not fail for alone, since its failure sends the whole batch
 * to the per-delivery fallback; a call it started that fails fails only its own handler.
 */
@FunctionalInterface
public interface BatchPreparation {

    /** Locks what the batch's handlers will lock; {@code events} are the deliveries to apply, in delivery order. */
    void prepare(List<InboundEvent<?>> events);
}
