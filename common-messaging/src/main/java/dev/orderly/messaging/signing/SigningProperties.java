package dev.orderly.messaging.signing;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The message-signing keys of a service that produces or consumes events, under {@code orderly.messaging.signing}
 * (docs/common-messaging.md#signed-messages).
 *
 * <p>There is no default key: with none configured the service does not start ({@link MessageKeys#of}), since a
 * consumer that accepted unsigned messages, or a producer that signed with a key everyone knows, would check nothing.
 *
 * @param keys every key this service accepts, by id ({@code orderly.messaging.signing.keys.k20261201}, in the
 *     environment {@code ORDERLY_MESSAGING_SIGNING_KEYS_K20261201}): base64 (or base64url) of at least 32 random bytes.
 *     Two during a rotation, the new one and the old one
 * @param signingKeyId the id of the key this service signs with; may be left out when there is only one key
 */
@ConfigurationProperties("orderly.messaging.signing")
public record SigningProperties(
        @Nullable Map<String, String> keys, @Nullable String signingKeyId) {

    public SigningProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
    }

    /** The keys, decoded and checked. */
    public MessageKeys messageKeys() {
        return MessageKeys.of(keys, signingKeyId);
    }
}
