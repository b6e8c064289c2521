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
 * @param attempt which delivery attempt this is, 1 for the first
 * @param <D> the payload type
 */
public record InboundEvent<D extends EventData>(
        Envelope<D> envelope, @Nullable String traceparent, int attempt) {

    /** The payload. */
    public D data() {
        return envelope.data();
    }
}
