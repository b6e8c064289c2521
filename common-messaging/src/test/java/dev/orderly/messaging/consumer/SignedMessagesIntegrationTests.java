package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.messaging.consumer.ProbeApplication.Probe;
import dev.orderly.messaging.consumer.ProbeApplication.Script;
import dev.orderly.messaging.parking.ParkingLotOperations;
import dev.orderly.messaging.parking.Selection;
import dev.orderly.testsupport.HmacKeys;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every delivery's signature is checked before its body is read (docs/common-messaging.md#signed-messages): a good one
 * is handled, a tampered, unsigned or foreign-key one is parked at once as {@code SIGNATURE_INVALID}, counted by
 * failure, and never handled, while good messages keep flowing; retry and replay copies are checked again and still
 * verify, and a tampered message stays parked however often it is replayed.
 */
@SpringBootTest(classes = ProbeApplication.class)
@RealInfrastructure
class SignedMessagesIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Probe probe;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ParkingLotOperations parkingLot;

    ProbeMessages messages;

    @BeforeEach
    void setUp() {
        messages = new ProbeMessages(rabbit);
    }

    @Test
    void aBodyByteFlippedAfterSigningIsParkedSignatureInvalidWhileGoodMessagesAreHandled() {
        Envelope<OrderCreated> tampered = ProbeMessages.orderCreated();
        Envelope<OrderCreated> good = ProbeMessages.orderCreated();
        Message message = signed(tampered);
        byte[] body = message.getBody();
        String json = new String(body, StandardCharsets.UTF_8);
        int digit = json.indexOf("\"total_cents\":250") + "\"total_cents\":25".length();
        // One byte: 250 becomes 251, and the body is still a valid order.created; the signature is kept.
        body[digit] ^= 0x01;
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"total_cents\":251");
        double mismatchesBefore = signatureInvalid("mismatch");

        messages.send(message);
        messages.publish(good);

        awaitEffects(good, 1);
        Map<String, Object> row = awaitParked(tampered);
        assertThat(row.get("reason")).isEqualTo("SIGNATURE_INVALID");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat((String) row.get("exception")).contains("Signature MISMATCH").contains("'test'");
        assertThat(row.get("headers").toString())
                .contains("\"" + MessageHeaders.SIGNATURE_FAILURE + "\": \"MISMATCH\"")
                .contains("\"" + MessageHeaders.KEY_ID + "\": \"test\"");
        assertThat(effects(tampered)).as("never handled").isZero();
        await().atMost(DEADLINE).until(() -> signatureInvalid("mismatch") == mismatchesBefore + 1);
    }

    @Test
    void aMessageWithoutSignatureOrSignedWithAKeyThisServiceDoesNotAcceptIsParked() {
        Envelope<OrderCreated> unsigned = ProbeMessages.orderCreated();
        Envelope<OrderCreated> noKeyId = ProbeMessages.orderCreated();
        Envelope<OrderCreated> foreign = ProbeMessages.orderCreated();
        Envelope<OrderCreated> noProducer = ProbeMessages.orderCreated();
        double missingBefore = signatureInvalid("missing");
        double unknownBefore = signatureInvalid("unknown_key");

        messages.send(ProbeMessages.unsigned(unsigned.eventType(), id(unsigned), json(unsigned)));
        Message withoutKeyId = signed(noKeyId);
        withoutKeyId.getMessageProperties().getHeaders().remove(MessageHeaders.KEY_ID);
        messages.send(withoutKeyId);
        messages.send(TestMessageKeys.sign(
                ProbeMessages.unsigned(foreign.eventType(), id(foreign), json(foreign)),
                "stranger",
                HmacKeys.generate()));
        Message withoutProducer = signed(noProducer);
        withoutProducer.getMessageProperties().getHeaders().remove(MessageHeaders.PRODUCER);
        messages.send(withoutProducer);

        assertThat(awaitParked(unsigned).get("headers").toString()).contains("\"MISSING\"");
        assertThat(awaitParked(noKeyId).get("headers").toString()).contains("\"MISSING\"");
        Map<String, Object> foreignRow = awaitParked(foreign);
        assertThat(foreignRow.get("reason")).isEqualTo("SIGNATURE_INVALID");
        assertThat(foreignRow.get("headers").toString()).contains("\"UNKNOWN_KEY\"");
        assertThat((String) foreignRow.get("exception")).contains("'stranger'").contains("[test]");
        assertThat(awaitParked(noProducer).get("headers").toString()).contains("\"MISSING\"");
        for (Envelope<?> event : List.of(unsigned, noKeyId, foreign, noProducer)) {
            assertThat(awaitParked(event).get("reason")).isEqualTo("SIGNATURE_INVALID");
            assertThat(effects(event)).isZero();
        }
        await().atMost(DEADLINE)
                .until(() -> signatureInvalid("missing") == missingBefore + 3
                        && signatureInvalid("unknown_key") == unknownBefore + 1);
    }

    @Test
    void aRetryCopyKeepsTheProducersSignatureAndIsHandled() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        probe.script(event.correlationId(), new Script.FailTransiently(1));

        messages.publish(event);

        awaitEffects(event, 1);
        assertThat(jdbc.sql("SELECT attempt FROM probe_effects WHERE event_id = ?")
                        .param(event.eventId())
                        .query(Integer.class)
                        .single())
                .as("applied on the second delivery, the retry tier's copy, which verified")
                .isEqualTo(2);
        assertThat(parked(event)).isEmpty();
    }

    @Test
    void aReplayedTamperedMessageIsCheckedAgainAndParkedAgain() {
        Envelope<OrderCreated> tampered = ProbeMessages.orderCreated();
        Message message = signed(tampered);
        message.getMessageProperties().setHeader(MessageHeaders.PRODUCER, "payment-worker");
        messages.send(message);
        long id = (Long) awaitParked(tampered).get("id");

        ParkingLotOperations.Replayed replayed = parkingLot.replay(new Selection(id, null, null, false), "test");

        assertThat(replayed.replayed()).isEqualTo(1);
        Map<String, Object> again = await().atMost(DEADLINE)
                .until(
                        () -> parked(tampered),
                        rows -> rows.size() == 1 && (Long) rows.get(0).get("id") != id)
                .get(0);
        assertThat(again.get("reason")).isEqualTo("SIGNATURE_INVALID");
        assertThat(again.get("headers").toString())
                .contains(MessageHeaders.REPLAYED_AT)
                .contains("\"MISMATCH\"");
        assertThat(effects(tampered)).isZero();
    }

    private static Message signed(Envelope<?> event) {
        return ProbeMessages.message(event.eventType(), id(event), json(event));
    }

    private static String id(Envelope<?> event) {
        return event.eventId().toString();
    }

    private static byte[] json(Envelope<?> event) {
        return new EventCodec().toJson(event);
    }

    private double signatureInvalid(String failure) {
        Counter counter = meters.find("orderly.consumer.signature.invalid")
                .tag("consumer", "probe")
                .tag("failure", failure)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private void awaitEffects(Envelope<?> event, long expected) {
        await().atMost(DEADLINE).until(() -> effects(event) == expected);
    }

    private long effects(Envelope<?> event) {
        return jdbc.sql("SELECT count(*) FROM probe_effects WHERE event_id = ?")
                .param(event.eventId())
                .query(Long.class)
                .single();
    }

    private List<Map<String, Object>> parked(Envelope<?> event) {
        return jdbc.sql("SELECT id, reason, attempts, exception, headers::text AS headers "
                        + "FROM parked_messages WHERE message_id = ?")
                .param(event.eventId().toString())
                .query()
                .listOfRows();
    }

    private Map<String, Object> awaitParked(Envelope<?> event) {
        return await().atMost(DEADLINE)
                .until(() -> parked(event), rows -> rows.size() == 1)
                .get(0);
    }
}
