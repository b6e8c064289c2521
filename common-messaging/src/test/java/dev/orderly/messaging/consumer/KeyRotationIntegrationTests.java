package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.MessageSigner;
import dev.orderly.testsupport.HmacKeys;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A key rotation in the middle (docs/runbooks.md, "Rotate the message-signing key"): a consumer configured with the old
 * key ({@code test}, the tests' key) and a new one ({@code next}), signing with the new one, handles every message
 * signed with either, and loses none. A domain of its own ({@code rotation}), so the other tests' consumer, which knows
 * only the old key, never sees these messages.
 */
@SpringBootTest(
        classes = ProbeApplication.class,
        properties = {"orderly.messaging.domain=rotation", "orderly.messaging.signing.signing-key-id=next"})
@RealInfrastructure
class KeyRotationIntegrationTests {

    private static final String NEXT_KEY = HmacKeys.generate();
    private static final int EACH = 20;

    @DynamicPropertySource
    static void nextKey(DynamicPropertyRegistry registry) {
        registry.add("orderly.messaging.signing.keys.next", () -> NEXT_KEY);
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MessageKeys keys;

    @Test
    void messagesSignedWithTheOldKeyAndTheNewOneAreAllHandledWhileBothAreConfigured() {
        assertThat(keys.ids()).containsExactly("next", "test");
        assertThat(keys.signingKeyId()).as("signs with the new key").isEqualTo("next");
        MessageSigner signer = new MessageSigner(keys);
        EventCodec codec = new EventCodec();
        List<UUID> sent = new ArrayList<>();

        for (int i = 0; i < EACH; i++) {
            // Old: what producers not yet switched over (or messages waiting in a queue) carry.
            Envelope<OrderCreated> old = ProbeMessages.orderCreated();
            send(TestMessageKeys.sign(
                    ProbeMessages.unsigned(old.eventType(), old.eventId().toString(), codec.toJson(old))));
            // New: signed as this service's outbox writer signs now.
            Envelope<OrderCreated> renewed = ProbeMessages.orderCreated();
            byte[] body = codec.toJson(renewed);
            Message message = ProbeMessages.unsigned(
                    renewed.eventType(), renewed.eventId().toString(), body);
            signer.headers(renewed, body).forEach(message.getMessageProperties()::setHeader);
            assertThat(message.getMessageProperties().getHeaders()).containsEntry("orderly-key-id", "next");
            send(message);
            sent.add(old.eventId());
            sent.add(renewed.eventId());
        }

        await().atMost(Duration.ofSeconds(60))
                .until(() -> jdbc.sql("SELECT count(*) FROM probe_effects WHERE event_id = ANY (?)")
                                .param(sent.toArray(UUID[]::new))
                                .query(Long.class)
                                .single()
                        == 2L * EACH);
        assertThat(jdbc.sql("SELECT count(*) FROM parked_messages WHERE message_id = ANY (?)")
                        .param(sent.stream().map(UUID::toString).toArray(String[]::new))
                        .query(Long.class)
                        .single())
                .as("none parked, none lost")
                .isZero();
    }

    private void send(Message message) {
        rabbit.send("", Topology.workQueue("rotation"), message);
    }
}
