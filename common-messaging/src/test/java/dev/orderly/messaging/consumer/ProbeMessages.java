package dev.orderly.messaging.consumer;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.TestMessageKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes events as the outbox relay does: persistent, message id = event id, type = event type, headers, signed with
 * the tests' key as a producer signs ({@link TestMessageKeys}).
 */
final class ProbeMessages {

    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final RabbitTemplate rabbit;
    private final EventCodec codec = new EventCodec();

    ProbeMessages(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
    }

    static Envelope<OrderCreated> orderCreated() {
        UUID orderId = UUID.randomUUID();
        return Envelope.of(
                new OrderCreated(orderId, "c-1", "EUR", 250, List.of(new OrderLine("SKU-1", 2, 125))),
                "order-api",
                orderId.toString(),
                Clock.systemUTC());
    }

    void publish(Envelope<?> envelope) {
        publish(envelope.eventType(), envelope.eventId().toString(), codec.toJson(envelope));
    }

    void publish(String eventType, String messageId, byte[] body) {
        rabbit.send(Topology.EVENTS_EXCHANGE, eventType, message(eventType, messageId, body));
    }

    /** Straight into the work queue, bypassing the bindings (as a replay or a mistake would). */
    void publishToWorkQueue(String eventType, String messageId, byte[] body) {
        send(message(eventType, messageId, body));
    }

    /** {@code message} as it is, straight into the work queue. */
    void send(Message message) {
        rabbit.send("", Topology.workQueue("probe"), message);
    }

    /** A signed message. */
    static Message message(String eventType, String messageId, byte[] body) {
        return TestMessageKeys.sign(unsigned(eventType, messageId, body));
    }

    /** The same message, unsigned. */
    static Message unsigned(String eventType, String messageId, byte[] body) {
        MessageProperties props = new MessageProperties();
        props.setMessageId(messageId);
        props.setType(eventType);
        props.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        props.setHeader(MessageHeaders.TRACEPARENT, TRACEPARENT);
        props.setHeader(MessageHeaders.PRODUCER, "order-api");
        return new Message(body, props);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
