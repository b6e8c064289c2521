package dev.orderly.messaging.signing;

import dev.orderly.contracts.MessageSignature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The keys a service signs and verifies messages with: every key it accepts, by id, and the one it signs with.
 *
 * <p>Invariants: there is at least one key (a blank value is none); every id is 1 to 32 lowercase letters and digits (so it survives being
 * an environment variable's suffix and a header value unchanged); every key has at least
 * {@value MessageSignature#MIN_KEY_BYTES} bytes; the signing key is one of the keys. Anything else is refused with a
 * message saying what to set, and the service does not start.
 */
public final class MessageKeys {

    static final Pattern KEY_ID = Pattern.compile("[a-z0-9]{1,32}");

    private static final String HOW =
            " Set orderly.messaging.signing.keys.<id> (environment ORDERLY_MESSAGING_SIGNING_KEYS_<ID>) to base64 of at "
                    + "least 32 random bytes (openssl rand -base64 32), the same on every producer and consumer, and "
                    + "orderly.messaging.signing.signing-key-id to the id to sign with; ./orderly up and ./orderly "
                    + "compose-env generate one (docs/common-messaging.md#signed-messages).";

    private final Map<String, byte[]> keys;
    private final String signingKeyId;

    private MessageKeys(Map<String, byte[]> keys, String signingKeyId) {
        this.keys = keys;
        this.signingKeyId = signingKeyId;
    }

    /**
     * Decodes and checks {@code encoded}.
     *
     * @param encoded base64 or base64url keys by id
     * @param signingKeyId the id to sign with; if null or blank, the only key's
     * @throws IllegalStateException saying what is wrong and what to set
     */
    public static MessageKeys of(Map<String, String> encoded, @Nullable String signingKeyId) {
        // A blank value is no key: compose offers an empty slot for the next key of a rotation.
        Map<String, String> given = new TreeMap<>();
        encoded.forEach((id, value) -> {
            if (value != null && !value.isBlank()) {
                given.put(id, value);
            }
        });
        if (given.isEmpty()) {
            throw new IllegalStateException("No message-signing key is configured: every event is signed by its "
                    + "producer and verified by its consumers, and there is no default key." + HOW);
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        given.forEach((id, value) -> {
            if (!KEY_ID.matcher(id).matches()) {
                throw new IllegalStateException(
                        "Message-signing key id '" + id + "' is not 1 to 32 lowercase letters and digits." + HOW);
            }
            keys.put(id, decode(id, value));
        });
        String signing = signingKeyId == null || signingKeyId.isBlank() ? null : signingKeyId.strip();
        if (signing == null) {
            if (keys.size() != 1) {
                throw new IllegalStateException("Message-signing keys " + keys.keySet()
                        + " are configured but orderly.messaging.signing.signing-key-id does not say which one "
                        + "this service signs with.");
            }
            signing = keys.keySet().iterator().next();
        } else if (!keys.containsKey(signing)) {
            throw new IllegalStateException("orderly.messaging.signing.signing-key-id is '" + signing
                    + "', but the configured keys are " + keys.keySet() + "." + HOW);
        }
        return new MessageKeys(Map.copyOf(keys), signing);
    }

    private static byte[] decode(String id, String value) {
        String text = value.strip();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Message-signing key '" + id + "' is not base64." + HOW, e);
        }
        if (key.length < MessageSignature.MIN_KEY_BYTES) {
            throw new IllegalStateException("Message-signing key '" + id + "' has " + key.length + " bytes; at least "
                    + MessageSignature.MIN_KEY_BYTES + " are needed." + HOW);
        }
        return key;
    }

    /** The id of the key this service signs with. */
    public String signingKeyId() {
        return signingKeyId;
    }

    byte[] signingKey() {
        return keys.get(signingKeyId);
    }

    /** The key with this id, if this service accepts it. */
    Optional<byte[]> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** The ids of every key this service accepts, sorted. */
    public SortedSet<String> ids() {
        return new TreeSet<>(keys.keySet());
    }

    @Override
    public String toString() {
        // Never the keys themselves.
        return "MessageKeys" + ids() + " signing with " + signingKeyId;
    }
}
