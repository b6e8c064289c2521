package dev.orderly.messaging.signing;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.MessageSignature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The producer's side of signed messages: the headers that sign an event's wire bytes with this service's signing key.
 *
 * <p>Invariant: the headers name the producer, the key id and the signature over exactly the fields the message will
 * carry ({@link MessageSignature.Fields#of}) and exactly {@code body}; a message whose body or signed fields change
 * afterwards, in the outbox or on the way, no longer verifies.
 */
public final class MessageSigner {

    private final MessageKeys keys;

    public MessageSigner(MessageKeys keys) {
        this.keys = keys;
    }

    /** {@value MessageHeaders#PRODUCER}, {@value MessageHeaders#KEY_ID} and {@value MessageHeaders#SIGNATURE}. */
    public Map<String, Object> headers(Envelope<?> envelope, byte[] body) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(MessageHeaders.PRODUCER, envelope.producer());
        headers.put(MessageHeaders.KEY_ID, keys.signingKeyId());
        headers.put(
                MessageHeaders.SIGNATURE,
                MessageSignature.sign(keys.signingKey(), MessageSignature.Fields.of(envelope), body));
        return headers;
    }
}
