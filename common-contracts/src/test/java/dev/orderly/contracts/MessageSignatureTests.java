package dev.orderly.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageSignatureTests {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OTHER_KEY = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
    private static final MessageSignature.Fields FIELDS =
            new MessageSignature.Fields("6f1c1f0e-8d2b-4c1e-9a53-0d1e2f3a4b5c", "order.created", "1", "order-api");
    private static final byte[] BODY = "{\"event_id\":\"6f1c\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesWithItsKeyFieldsAndBody() {
        String signature = MessageSignature.sign(KEY, FIELDS, BODY);

        assertThat(signature).startsWith("v1=").hasSize(3 + 43);
        assertThat(signature.substring(3)).doesNotContain("=", "+", "/");
        assertThat(MessageSignature.verify(KEY, FIELDS, BODY, signature)).isTrue();
        assertThat(MessageSignature.sign(KEY, FIELDS, BODY)).isEqualTo(signature);
    }

    @Test
    void aFlippedBodyByteAnotherFieldOrAnotherKeyFailsTheCheck() {
        String signature = MessageSignature.sign(KEY, FIELDS, BODY);
        byte[] flipped = Arrays.copyOf(BODY, BODY.length);
        flipped[5] ^= 0x01;

        assertThat(MessageSignature.verify(KEY, FIELDS, flipped, signature)).isFalse();
        assertThat(MessageSignature.verify(OTHER_KEY, FIELDS, BODY, signature)).isFalse();
        assertThat(MessageSignature.verify(
                        KEY,
                        new MessageSignature.Fields(FIELDS.eventId(), "order.created", "2", "order-api"),
                        BODY,
                        signature))
                .isFalse();
        assertThat(MessageSignature.verify(
                        KEY,
                        new MessageSignature.Fields(FIELDS.eventId(), "order.created", "1", "payment-worker"),
                        BODY,
                        signature))
                .isFalse();
    }

    @Test
    void movingBytesBetweenFieldsChangesTheInput() {
        MessageSignature.Fields ab = new MessageSignature.Fields("id", "ab", "1", "c");
        MessageSignature.Fields a = new MessageSignature.Fields("id", "a", "1", "bc");

        assertThat(MessageSignature.input(ab, BODY)).isNotEqualTo(MessageSignature.input(a, BODY));
        assertThat(MessageSignature.input(new MessageSignature.Fields("id", "t", "1", "p"), "x".getBytes()))
                .isNotEqualTo(MessageSignature.input(new MessageSignature.Fields("id", "t", "1", "px"), new byte[0]));
    }

    @Test
    void aMalformedHeaderFailsTheCheckWithoutThrowing() {
        String signature = MessageSignature.sign(KEY, FIELDS, BODY);

        assertThat(MessageSignature.verify(KEY, FIELDS, BODY, signature.substring(3)))
                .isFalse();
        assertThat(MessageSignature.verify(KEY, FIELDS, BODY, "v1=not base64!")).isFalse();
        assertThat(MessageSignature.verify(KEY, FIELDS, BODY, "v2=" + signature.substring(3)))
                .isFalse();
        assertThat(MessageSignature.verify(KEY, FIELDS, BODY, "")).isFalse();
    }

    @Test
    void aShortKeyIsRefused() {
        assertThatThrownBy(() -> MessageSignature.sign(new byte[31], FIELDS, BODY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 32 bytes");
    }
}
