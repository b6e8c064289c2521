package dev.orderly.contracts;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature every Orderly message carries: HMAC-SHA256, keyed by a secret the producers and consumers share, over
 * one fixed encoding of the fields that say what the message is and of its body (docs/common-messaging.md#signed-messages).
 *
 * <p>The MAC's input is {@value #DOMAIN}, then the event id ({@code message_id}), the event type ({@code type}), the
 * event version ({@value MessageHeaders#EVENT_VERSION}), the producer ({@value MessageHeaders#PRODUCER}) and the body,
 * each as a 4-byte big-endian length followed by its bytes (the text fields in UTF-8, the body as it is on the wire).
 * Every field is length-prefixed, so no two different messages share an input: moving a byte from one field to the
 * next changes a length. Nothing else is signed: not the broker's {@code x-} headers, not the runtime's bookkeeping
 * headers (attempt, parking reason, replay time), so a retry or replay copy still verifies, unchanged.
 *
 * <p>The header value is {@value #VERSION_PREFIX} and the MAC in unpadded base64url; the prefix lets a later scheme
 * sit beside this one. {@link #verify} compares in constant time ({@link MessageDigest#isEqual}).
 *
 * <p>Invariant: the same fields, body and key always give the same value, and any change to one of them gives another
 * (but with the negligible chance of an HMAC-SHA256 collision); only the JDK's {@link Mac} computes it.
 */
public final class MessageSignature {

    /** The first field of every input: ties the MAC to this scheme and its version. */
    public static final String DOMAIN = "orderly-message-signature-v1";

    /** What every signature header value starts with. */
    public static final String VERSION_PREFIX = "v1=";

    /** The shortest key accepted, in bytes: HMAC-SHA256's own output size. */
    public static final int MIN_KEY_BYTES = 32;

    private static final String ALGORITHM = "HmacSHA256";

    private MessageSignature() {}

    /**
     * The fields a signature covers besides the body, as the message carries them.
     *
     * @param eventId the {@code message_id} property (the envelope's {@code event_id})
     * @param eventType the {@code type} property (the envelope's {@code event_type})
     * @param eventVersion the {@value MessageHeaders#EVENT_VERSION} header, in decimal
     * @param producer the {@value MessageHeaders#PRODUCER} header (the envelope's {@code producer})
     */
    public record Fields(String eventId, String eventType, String eventVersion, String producer) {

        public Fields {
            Checks.notNull(eventId, "eventId");
            Checks.notNull(eventType, "eventType");
            Checks.notNull(eventVersion, "eventVersion");
            Checks.notNull(producer, "producer");
        }

        /** The fields of {@code envelope}, as the outbox writer puts them on its message. */
        public static Fields of(Envelope<?> envelope) {
            return new Fields(
                    envelope.eventId().toString(),
                    envelope.eventType(),
                    Integer.toString(envelope.eventVersion()),
                    envelope.producer());
        }
    }

    /**
     * The {@value MessageHeaders#SIGNATURE} header value for these fields and body.
     *
     * @param key the shared secret, at least {@value #MIN_KEY_BYTES} bytes
     */
    public static String sign(byte[] key, Fields fields, byte[] body) {
        return VERSION_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(key, fields, body));
    }

    /** Whether {@code signature} (a header value) is the one {@code key} gives these fields and body. */
    public static boolean verify(byte[] key, Fields fields, byte[] body, String signature) {
        if (!signature.startsWith(VERSION_PREFIX)) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(signature.substring(VERSION_PREFIX.length()));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return MessageDigest.isEqual(presented, mac(key, fields, body));
    }

    /** The MAC's input: every field length-prefixed, in a fixed order (public so other implementations can be tested). */
    public static byte[] input(Fields fields, byte[] body) {
        ByteArrayOutputStream input = new ByteArrayOutputStream(body.length + 256);
        for (String field :
                new String[] {DOMAIN, fields.eventId(), fields.eventType(), fields.eventVersion(), fields.producer()}) {
            append(input, field.getBytes(StandardCharsets.UTF_8));
        }
        append(input, body);
        return input.toByteArray();
    }

    private static void append(ByteArrayOutputStream input, byte[] field) {
        input.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(field.length).array());
        input.writeBytes(field);
    }

    private static byte[] mac(byte[] key, Fields fields, byte[] body) {
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "A message-signing key must have at least " + MIN_KEY_BYTES + " bytes, not " + key.length);
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(input(fields, body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM cannot compute " + ALGORITHM, e);
        }
    }
}
