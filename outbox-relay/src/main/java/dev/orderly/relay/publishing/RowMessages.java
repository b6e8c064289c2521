package dev.orderly.relay.publishing;

import dev.orderly.contracts.Json;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.relay.outbox.OutboxRow;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/**
 * Turns an outbox row into the AMQP message of the envelope (docs/design.md#the-envelope).
 *
 * <p>Invariants: the body is the stored payload byte for byte (UTF-8 of {@code payload::text}), never re-serialised, so
 * consumers receive exactly what the producer wrote and validated; {@code message_id} is the event id, {@code type}
 * the event type, {@code content_type} {@code application/json}, delivery mode persistent, {@code timestamp} the
 * row's {@code created_at} (second precision, as AMQP has it; the envelope's {@code occurred_at} keeps the exact time),
 * and the headers are the row's {@code headers} object ({@code event_version}, the signature's, {@code traceparent},
 * what the cause's delivery took: whatever the writer put there, copied as it is). The timestamp
 * comes from the row rather than the envelope so the relay never parses a body it only forwards.
 */
final class RowMessages {

    private static final TypeReference<Map<String, Object>> HEADERS = new TypeReference<>() {};

    private RowMessages() {}

    /**
     * The message for {@code row}.
     *
     * @throws IllegalArgumentException if the row's headers are not a JSON object (the row cannot be published as it
     *     is; it stays unpublished and is reported)
     */
    static Message toMessage(OutboxRow row) {
        MessageProperties properties = new MessageProperties();
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        properties.setMessageId(row.eventId().toString());
        properties.setType(row.eventType());
        properties.setTimestamp(Date.from(row.createdAt()));
        headers(row).forEach((name, value) -> {
            if (value != null) {
                properties.setHeader(name, value);
            }
        });
        return new Message(row.payload().getBytes(StandardCharsets.UTF_8), properties);
    }

    private static Map<String, Object> headers(OutboxRow row) {
        try {
            Map<String, Object> headers = Json.mapper().readValue(row.headers(), HEADERS);
            if (headers == null) {
                throw new IllegalArgumentException("its headers column holds JSON null, not an object");
            }
            return headers;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "its headers column is not a JSON object of AMQP headers: " + e.getOriginalMessage(), e);
        }
    }
}
