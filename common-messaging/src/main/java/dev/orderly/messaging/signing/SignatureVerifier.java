package dev.orderly.messaging.signing;

import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.MessageSignature;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.core.MessageProperties;

/**
 * The consumer's side of signed messages: checks a delivery's signature before anything reads its body.
 *
 * <p>The signed fields are read from the message as it arrived: {@code message_id}, {@code type}, the
 * {@value MessageHeaders#EVENT_VERSION} and {@value MessageHeaders#PRODUCER} headers. The key is the one named by
 * {@value MessageHeaders#KEY_ID}, if this service accepts it; any accepted key will do, which is what lets keys rotate.
 *
 * <p>Invariant: a message passes only if every signed field and the signature are present and the signature is the
 * one the named key gives those fields and the body, compared in constant time.
 */
public final class SignatureVerifier {

    /** Why a message failed the check: the value of {@value MessageHeaders#SIGNATURE_FAILURE}. */
    public enum Failure {
        /** No signature, no key id, or a signed field missing. */
        MISSING,
        /** Signed with a key this service does not accept (unknown, or already retired). */
        UNKNOWN_KEY,
        /** The signature is not the one the key gives this body and these fields: altered, or forged. */
        MISMATCH;

        /** The metric tag: {@code missing}, {@code unknown_key}, {@code mismatch}. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A failed check.
     *
     * @param failure which kind
     * @param detail one sentence for the parking lot's exception header and the log, naming no secret
     */
    public record Rejection(Failure failure, String detail) {}

    private final MessageKeys keys;

    public SignatureVerifier(MessageKeys keys) {
        this.keys = keys;
    }

    /** Empty if the message is signed by an accepted key, otherwise why not. */
    public Optional<Rejection> check(MessageProperties props, byte[] body) {
        String signature = header(props, MessageHeaders.SIGNATURE);
        String keyId = header(props, MessageHeaders.KEY_ID);
        if (signature == null || keyId == null) {
            return reject(
                    Failure.MISSING,
                    "the message carries no " + (signature == null ? MessageHeaders.SIGNATURE : MessageHeaders.KEY_ID)
                            + " header");
        }
        String eventId = props.getMessageId();
        String eventType = props.getType();
        String eventVersion = header(props, MessageHeaders.EVENT_VERSION);
        String producer = header(props, MessageHeaders.PRODUCER);
        if (eventId == null || eventType == null || eventVersion == null || producer == null) {
            return reject(
                    Failure.MISSING,
                    "a signed field is missing (message_id, type, " + MessageHeaders.EVENT_VERSION + ", "
                            + MessageHeaders.PRODUCER + ")");
        }
        Optional<byte[]> key = keys.key(keyId);
        if (key.isEmpty()) {
            return reject(
                    Failure.UNKNOWN_KEY,
                    "signed with key '" + abbreviate(keyId) + "', which this service does not accept (it accepts "
                            + keys.ids() + ")");
        }
        MessageSignature.Fields fields = new MessageSignature.Fields(eventId, eventType, eventVersion, producer);
        if (!MessageSignature.verify(key.get(), fields, body, signature)) {
            return reject(
                    Failure.MISMATCH,
                    "the signature does not match the body and signed fields for key '" + keyId
                            + "': the message was altered after it was signed, or not signed by a holder of the key");
        }
        return Optional.empty();
    }

    private static Optional<Rejection> reject(Failure failure, String detail) {
        return Optional.of(new Rejection(failure, "Signature " + failure + ": " + detail));
    }

    private static @Nullable String header(MessageProperties props, String name) {
        Object value = props.getHeaders().get(name);
        return value == null ? null : value.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 39) + "…";
    }
}
