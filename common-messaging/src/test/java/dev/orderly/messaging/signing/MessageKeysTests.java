package dev.orderly.messaging.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The keys as configured: bound from the environment as the launchers give them, checked, never defaulted. */
class MessageKeysTests {

    private static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String K2 = Base64.getUrlEncoder().withoutPadding().encodeToString(filled(40));

    @Test
    void keysBindFromEnvironmentVariablesAsLaunchersAndTheHelmChartsEnvFromGiveThem() {
        // ./orderly up and compose: upper case; Helm's envFrom with a prefix: the Secret's key, lower case.
        MessageKeys keys = bind(Map.of(
                        "ORDERLY_MESSAGING_SIGNING_KEYS_K1", K1,
                        "ORDERLY_MESSAGING_SIGNING_KEYS_k2", K2,
                        "ORDERLY_MESSAGING_SIGNING_SIGNING_KEY_ID", "k2"))
                .messageKeys();

        assertThat(keys.ids()).containsExactly("k1", "k2");
        assertThat(keys.signingKeyId()).isEqualTo("k2");
        assertThat(keys.signingKey()).hasSize(40);
        assertThat(keys.toString()).doesNotContain(K1, K2);
    }

    @Test
    void oneKeyIsAlsoTheSigningKeyAndABlankOneIsNone() {
        MessageKeys keys = MessageKeys.of(Map.of("k1", K1, "k2", " "), null);

        assertThat(keys.ids()).containsExactly("k1");
        assertThat(keys.signingKeyId()).isEqualTo("k1");
    }

    @Test
    void noKeyIsRefusedSayingWhatToSet() {
        assertThatIllegalStateException()
                .isThrownBy(() -> bind(Map.of()).messageKeys())
                .withMessageContaining("No message-signing key is configured")
                .withMessageContaining("there is no default key")
                .withMessageContaining("ORDERLY_MESSAGING_SIGNING_KEYS_<ID>");
    }

    @Test
    void aShortKeyABadIdAnUnknownOrAmbiguousSigningKeyAreRefused() {
        String short31 = Base64.getEncoder().encodeToString(new byte[31]);
        assertThatIllegalStateException()
                .isThrownBy(() -> MessageKeys.of(Map.of("k1", short31), null))
                .withMessageContaining("has 31 bytes; at least 32");
        assertThatIllegalStateException()
                .isThrownBy(() -> MessageKeys.of(Map.of("k1", "not base64 !"), null))
                .withMessageContaining("is not base64");
        assertThatIllegalStateException()
                .isThrownBy(() -> MessageKeys.of(Map.of("key.one", K1), null))
                .withMessageContaining("lowercase letters and digits");
        assertThatIllegalStateException()
                .isThrownBy(() -> MessageKeys.of(Map.of("k1", K1), "k9"))
                .withMessageContaining("'k9'")
                .withMessageContaining("[k1]");
        assertThatIllegalStateException()
                .isThrownBy(() -> MessageKeys.of(Map.of("k1", K1, "k2", K2), null))
                .withMessageContaining("does not say which one");
    }

    private static SigningProperties bind(Map<String, Object> environment) {
        StandardEnvironment spring = new StandardEnvironment();
        spring.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        spring.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        spring.getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment));
        ConfigurationPropertySources.attach(spring);
        return Binder.get(spring).bindOrCreate("orderly.messaging.signing", SigningProperties.class);
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) 7);
        return bytes;
    }
}
