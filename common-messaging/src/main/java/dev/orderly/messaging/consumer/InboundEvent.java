package dev.orderly.messaging.consumer;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventData;
import org.jspecify.annotations.Nullable;

/**
 * One validated event handed to a handler, with what the delivery carried besides the body.
 *
 * <p>Invariant: the envelope satisfied its schema, and the handler runs inside the transaction that recorded
 * {@code (consumer, event_id)} as processed; whatever it writes commits with that record or not at all.
 *
 * @param envelope the event
 * @param traceparent the W3C trace context that came with the message; pass it on to the outbox rows this event
 *     causes, so the trace follows the order
 * @param attempt which delivery attempt this is, 1 for the first (a replay out of the parking lot starts afresh)
 * @param replayed whether this delivery is a replay out of a parking lot
 * @param cause what the delivery that caused this event took, as the handler that wrote it recorded
 *     ({@link dev.orderly.messaging.outbox.OutboxWriter#appendCausedBy(Envelope, String, InboundEvent)}); {@link Retries#NONE}
 *     for an event no consumer wrote
 * @param <D> the payload type
 */
public record InboundEvent<D extends EventData>(
        Envelope<D> envelope, @Nullable String traceparent, int attempt, boolean replayed, Retries cause) {

    /** The payload. */
    public D data() {
        return envelope.data();
    }

    /** This delivery's own retries so far: the attempts before this one, and whether it is a replay. */
    public Retries retries() {
        return new Retries(Math.clamp(attempt - 1L, 0, Retries.MAX_COUNT), replayed);
    }

    /**
     * The stage that ends with this event being handled: the retries of the delivery that caused it and this
     * delivery's own (for {@code payment.authorized} at order-worker, payment-worker's for {@code inventory.reserved}
     * and order-worker's for it).
     */
    public Retries stage() {
        return cause.plus(retries());
    }
}
