package dev.orderly.testsupport;

import com.rabbitmq.client.AMQP;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.MessageSignature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The message-signing key of this JVM's tests, and how a test signs a message it publishes as a producer would.
 *
 * <p>{@link RealInfrastructure} and {@link DevInfrastructure} give every context this key as its only key
 * ({@link #properties()}: {@code orderly.messaging.signing.keys.test}), so a service signs its outbox rows with it and
 * accepts messages signed with it. A test that publishes straight to the broker signs with {@link #sign} (the system
 * tests with the key {@code ./orderly up} generated for their pipeline): a poison message with a good signature still
 * parks with its old reason, and one without a signature parks {@code SIGNATURE_INVALID}.
 *
 * <p>Invariant: the key is generated on first use, once per JVM ({@link HmacKeys#generate}), and never written to a
 * file; its id is {@value #KEY_ID}.
 */
public final class TestMessageKeys {

    /** The key's id, in {@value MessageHeaders#KEY_ID}. */
    public static final String KEY_ID = "test";

    /** The producer {@link #sign} names when the message does not already carry {@value MessageHeaders#PRODUCER}. */
    public static final String PRODUCER = "test";

    private TestMessageKeys() {}

    /** The key, base64. */
    public static String key() {
        return Holder.KEY;
    }

    /** The settings that give a context this key: {@code orderly.messaging.signing.keys.test}. */
    public static Map<String, Object> properties() {
        return Map.of("orderly.messaging.signing.keys." + KEY_ID, key());
    }

    /**
     * Signs a Spring AMQP message in place, with {@code keyId}'s {@code key}: sets {@value MessageHeaders#PRODUCER}
     * (unless set), {@value MessageHeaders#KEY_ID} and {@value MessageHeaders#SIGNATURE} over its {@code message_id},
     * {@code type}, {@value MessageHeaders#EVENT_VERSION} header and body.
     *
     * @throws IllegalArgumentException if the message has no message id, type or event version to sign
     */
    public static org.springframework.amqp.core.Message sign(
            org.springframework.amqp.core.Message message, String keyId, String key) {
        org.springframework.amqp.core.MessageProperties props = message.getMessageProperties();
        props.getHeaders().putIfAbsent(MessageHeaders.PRODUCER, PRODUCER);
        Map<String, Object> headers = signature(
                props.getMessageId(),
                props.getType(),
                props.getHeaders().get(MessageHeaders.EVENT_VERSION),
                props.getHeaders().get(MessageHeaders.PRODUCER),
                message.getBody(),
                keyId,
                key);
        headers.forEach(props::setHeader);
        return message;
    }

    /** {@link #sign(org.springframework.amqp.core.Message, String, String)} with this JVM's key. */
    public static org.springframework.amqp.core.Message sign(org.springframework.amqp.core.Message message) {
        return sign(message, KEY_ID, key());
    }

    /**
     * The properties of an AMQP client message signed with this JVM's key: {@code properties} with
     * {@value MessageHeaders#PRODUCER} (unless set), {@value MessageHeaders#KEY_ID} and {@value MessageHeaders#SIGNATURE}
     * added to its headers.
     */
    public static AMQP.BasicProperties sign(AMQP.BasicProperties properties, byte[] body) {
        return sign(properties, body, KEY_ID, key());
    }

    /**
     * {@link #sign(AMQP.BasicProperties, byte[])} with {@code keyId}'s {@code key} (base64): a pipeline's own, as the
     * system tests read it from {@code ./orderly up}'s settings.
     */
    public static AMQP.BasicProperties sign(AMQP.BasicProperties properties, byte[] body, String keyId, String key) {
        Map<String, Object> headers =
                new LinkedHashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
        headers.putIfAbsent(MessageHeaders.PRODUCER, PRODUCER);
        headers.putAll(signature(
                properties.getMessageId(),
                properties.getType(),
                headers.get(MessageHeaders.EVENT_VERSION),
                headers.get(MessageHeaders.PRODUCER),
                body,
                keyId,
                key));
        return properties.builder().headers(headers).build();
    }

    private static Map<String, Object> signature(
            @Nullable String messageId,
            @Nullable String type,
            @Nullable Object eventVersion,
            @Nullable Object producer,
            byte[] body,
            String keyId,
            String key) {
        if (messageId == null || type == null || eventVersion == null || producer == null) {
            throw new IllegalArgumentException("A message to sign needs a message id, a type, an "
                    + MessageHeaders.EVENT_VERSION + " header and a producer: the signature covers them");
        }
        MessageSignature.Fields fields =
                new MessageSignature.Fields(messageId, type, eventVersion.toString(), producer.toString());
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(MessageHeaders.KEY_ID, keyId);
        headers.put(
                MessageHeaders.SIGNATURE,
                MessageSignature.sign(Base64.getDecoder().decode(key), fields, body));
        return headers;
    }

    /** Holder idiom: the key only once a test asks for it. */
    private static final class Holder {

        static final String KEY = HmacKeys.generate();
    }
}
