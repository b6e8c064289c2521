package dev.orderly.relay.publishing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.orderly.relay.outbox.OutboxRow;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * A row becomes the message of the envelope (docs/design.md#the-envelope): the stored bytes, and the properties and
 * headers it names.
 */
class RowMessagesTests {

    static final UUID EVENT_ID = UUID.fromString("5f0c6a7e-2b8d-4c1e-9a3f-0d2e4b6c8a10");

    @Test
    void theBodyIsTheStoredPayloadByteForByte() {
        String payload = "{\"event_id\":\"" + EVENT_ID + "\",  \"data\":{\"note\":\"caf\u00e9 \u2615\"}}";

        Message message = RowMessages.toMessage(row(payload, "{}"));

        assertThat(message.getBody()).isEqualTo(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void propertiesFollowTheDesign() {
        MessageProperties properties = RowMessages.toMessage(row("{}", "{}")).getMessageProperties();

        assertThat(properties.getMessageId()).isEqualTo(EVENT_ID.toString());
        assertThat(properties.getType()).isEqualTo("order.created");
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(properties.getTimestamp().toInstant()).isEqualTo(Instant.parse("2026-03-27T16:00:00.123Z"));
    }

    @Test
    void headersAreTheRowsHeadersWithTheirJsonTypes() {
        MessageProperties properties = RowMessages.toMessage(row(
                        "{}",
                        "{\"event_version\": 1, \"traceparent\": \"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\","
                                + " \"empty\": null}"))
                .getMessageProperties();

        assertThat(properties.getHeaders())
                .containsEntry("event_version", 1)
                .containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .doesNotContainKey("empty");
    }

    @Test
    void headersThatAreNotAJsonObjectAreRefusedWithTheReason() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RowMessages.toMessage(row("{}", "[1, 2]")))
                .withMessageContaining("headers column is not a JSON object");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> RowMessages.toMessage(row("{}", "null")))
                .withMessageContaining("JSON null");
    }

    static OutboxRow row(String payload, String headers) {
        return new OutboxRow(
                42,
                EVENT_ID,
                "order.created",
                "order.created",
                "order-1",
                payload,
                headers,
                Instant.parse("2026-03-27T16:00:00.123Z"),
                0);
    }
}
