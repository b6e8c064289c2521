package dev.orderly.contracts;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The body of every Orderly message: who produced which event, when, for which correlation, with its typed
 * payload. Serialised by {@link EventCodec} as snake_case JSON.
 *
 * <p>Invariant: {@code eventType} and {@code eventVersion} always equal {@code data}'s, so the routing key and
 * the schema a consumer picks can never disagree with the payload; every field is present, the producer is 1
 * to 64 characters and the correlation id 1 to 255.
 *
 * @param <D> the payload type
 */
public record Envelope<D extends EventData>(
        UUID eventId,
        String eventType,
        int eventVersion,
        Instant occurredAt,
        String producer,
        String correlationId,
        D data) {

    public Envelope {
        Checks.notNull(eventId, "event_id");
        Checks.notNull(eventType, "event_type");
        Checks.notNull(occurredAt, "occurred_at");
        Checks.text(producer, "producer", Checks.ID_MAX_LENGTH);
        Checks.text(correlationId, "correlation_id", Checks.TEXT_MAX_LENGTH);
        Checks.notNull(data, "data");
        if (!eventType.equals(data.eventType()) || eventVersion != data.eventVersion()) {
            throw new IllegalArgumentException("envelope says " + eventType + " v" + eventVersion + " but its data is "
                    + data.eventType() + " v" + data.eventVersion());
        }
    }

    /**
     * A new envelope for {@code data} with a random event id, occurring now by {@code clock}.
     *
     * <p>The time is truncated to microseconds, PostgreSQL's precision, so an {@code occurred_at} stored in the
     * database and read back equals the one that was published.
     *
     * @param producer the service that produces the event, e.g. {@code order-api}
     * @param correlationId what ties the event to its business process, usually the order id
     */
    public static <D extends EventData> Envelope<D> of(D data, String producer, String correlationId, Clock clock) {
        Checks.notNull(data, "data");
        Checks.notNull(clock, "clock");
        return new Envelope<>(
                UUID.randomUUID(),
                data.eventType(),
                data.eventVersion(),
                clock.instant().truncatedTo(ChronoUnit.MICROS),
                producer,
                correlationId,
                data);
    }
}
