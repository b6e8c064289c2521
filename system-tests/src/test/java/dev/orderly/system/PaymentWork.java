package dev.orderly.system;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.orderly.contracts.Envelope;
import dev.orderly.testsupport.TestMessageKeys;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * What no service would ever send, put straight into payment-worker's work queue by the administrator through the
 * default exchange: a poison message (a body no consumer can read) or an event altered after it was signed. Signed
 * with the pipeline's key where asked, so that what parks it is its body.
 */
final class PaymentWork {

    /** The id of the message-signing key ./orderly up generates. */
    static final String KEY_ID = "k1";

    private final Pipeline pipeline;

    PaymentWork(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** {@code body} as an {@code inventory.reserved} from order-worker, signed with the pipeline's key if {@code signed}. */
    void publish(String messageId, byte[] body, boolean signed) throws Exception {
        AMQP.BasicProperties properties = properties(messageId, "inventory.reserved", "order-worker");
        publish(signed ? sign(properties, body) : properties, body);
    }

    /** The event, signed with the pipeline's key as order-worker signs it, with one byte of its body flipped after. */
    void publishTampered(Envelope<?> event, byte[] body) throws Exception {
        AMQP.BasicProperties signed =
                sign(properties(event.eventId().toString(), event.eventType(), event.producer()), body);
        String json = new String(body, StandardCharsets.UTF_8);
        int digit = json.indexOf("\"total_cents\":250") + "\"total_cents\":25".length();
        body[digit] ^= 0x01;
        publish(signed, body);
    }

    private AMQP.BasicProperties sign(AMQP.BasicProperties properties, byte[] body) {
        return TestMessageKeys.sign(
                properties,
                body,
                KEY_ID,
                pipeline.setting("ORDERLY_MESSAGING_SIGNING_KEYS_" + KEY_ID.toUpperCase(Locale.ROOT)));
    }

    private static AMQP.BasicProperties properties(String messageId, String type, String producer) {
        return new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .type(type)
                .contentType("application/json")
                .deliveryMode(2)
                .headers(Map.of("event_version", 1, "orderly-producer", producer))
                .build();
    }

    private void publish(AMQP.BasicProperties properties, byte[] body) throws Exception {
        try (Connection connection = pipeline.amqpAdmin();
                Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            channel.basicPublish("", "payment.work", true, properties, body);
            channel.waitForConfirmsOrDie(10_000);
        }
    }
}
