package dev.orderly.relay.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * One unpublished outbox row, as the relay reads it.
 *
 * @param id the row's position in its table: rows go out in this order
 * @param eventId the envelope's {@code event_id}, published as the AMQP {@code message_id}
 * @param eventType the envelope's {@code event_type}, published as the AMQP {@code type}
 * @param routingKey the key the row is published with
 * @param aggregateId the entity the event is about, for logs
 * @param payload the envelope exactly as the producer stored it ({@code payload::text}); published byte for byte
 * @param headers the AMQP headers to set, a JSON object ({@code event_version}, {@code traceparent})
 * @param createdAt when the row was written, published as the AMQP {@code timestamp}
 * @param attempts how many publish attempts of this row have failed so far
 */
public record OutboxRow(
        long id,
        UUID eventId,
        String eventType,
        String routingKey,
        String aggregateId,
        String payload,
        String headers,
        Instant createdAt,
        int attempts) {}
