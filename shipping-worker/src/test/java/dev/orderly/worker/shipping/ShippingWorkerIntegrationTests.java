package dev.orderly.worker.shipping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import dev.orderly.worker.shipping.carrier.GuardedCarrier;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * shipping-worker against the real broker and database: each paid order gets one parcel and one
 * {@code shipment.scheduled}, an unavailable carrier or open circuit is retried (never parked), and a crash after the
 * booking does not book again.
 */
@SpringBootTest
@RealInfrastructure
@Import(ScriptedCarrier.class)
class ShippingWorkerIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    GuardedCarrier carrier;

    @Autowired
    MeterRegistry meters;

    @Test
    void paidOrderIsBookedOnceAndAnnounced() {
        Envelope<PaymentAuthorized> paid = paid();

        publish(paid);

        awaitShipment(paid);
        assertThat(outbox(paid)).isEqualTo(1);
        assertThat(booking(paid)).containsEntry("requests", 1);
        assertThat(jdbc.sql("SELECT payload::text FROM outbox WHERE aggregate_id = ?")
                        .param(orderId(paid))
                        .query(String.class)
                        .single())
                .contains((String) booking(paid).get("shipment_id"))
                .contains("simulated-post");
    }

    @Test
    void sameEventDeliveredTwiceBooksOneParcel() {
        Envelope<PaymentAuthorized> paid = paid();

        publish(paid);
        publish(paid);

        awaitShipment(paid);
        await().atMost(DEADLINE).until(() -> depth(Topology.workQueue(Topology.SHIPPING)) == 0);
        assertThat(booking(paid)).containsEntry("requests", 1);
        assertThat(outbox(paid)).isEqualTo(1);
    }

    @Test
    void crashBetweenBookingAndCommitDoesNotBookTwice() {
        Envelope<PaymentAuthorized> paid = paid();
        ScriptedCarrier.SCRIPTS.put(orderId(paid), new ScriptedCarrier.Script.CrashAfterBookingFirst(1));

        publish(paid);

        awaitShipment(paid);
        assertThat(booking(paid)).as("asked twice, booked once").containsEntry("requests", 2);
        assertThat(outbox(paid)).isEqualTo(1);
    }

    @Test
    void unavailableCarrierIsRetriedThroughTheTiersThenBooks() {
        Envelope<PaymentAuthorized> paid = paid();
        ScriptedCarrier.SCRIPTS.put(orderId(paid), new ScriptedCarrier.Script.UnavailableFirst(2));

        publish(paid);

        awaitShipment(paid);
        assertThat(ScriptedCarrier.CALLS.get(orderId(paid)).get()).isEqualTo(3);
        assertThat(parked(paid)).isZero();
    }

    @Test
    void openCircuitSendsToRetryNotToTheParkingLot() {
        Envelope<PaymentAuthorized> paid = paid();
        double retriedBefore = retried();
        carrier.circuitBreaker().transitionToForcedOpenState();
        try {
            publish(paid);
            await().atMost(DEADLINE).until(() -> retried() > retriedBefore);
            assertThat(parked(paid)).isZero();
        } finally {
            carrier.circuitBreaker().transitionToClosedState();
        }

        awaitShipment(paid);
        assertThat(parked(paid)).isZero();
    }

    @Test
    void poisonIsParkedWhileTheNextEventStillFlows() {
        String poison = UUID.randomUUID().toString();
        Envelope<PaymentAuthorized> good = paid();

        send(EventTypes.PAYMENT_AUTHORIZED, poison, "not json at all".getBytes(StandardCharsets.UTF_8));
        publish(good);

        awaitShipment(good);
        await().atMost(DEADLINE)
                .until(() -> jdbc.sql("SELECT count(*) FROM parked_messages WHERE message_id = ? AND reason = ?")
                                .params(poison, "UNPARSEABLE")
                                .query(Long.class)
                                .single()
                        == 1);
    }

    private static Envelope<PaymentAuthorized> paid() {
        UUID orderId = UUID.randomUUID();
        return Envelope.of(
                new PaymentAuthorized(orderId, "pay-" + orderId, "c-1", 1200, "EUR"),
                "payment-worker",
                orderId.toString(),
                Clock.systemUTC());
    }

    private void publish(Envelope<?> envelope) {
        send(envelope.eventType(), envelope.eventId().toString(), new EventCodec().toJson(envelope));
    }

    private void send(String routingKey, String messageId, byte[] body) {
        MessageProperties props = new MessageProperties();
        props.setMessageId(messageId);
        props.setType(routingKey);
        props.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        rabbit.send(Topology.EVENTS_EXCHANGE, routingKey, TestMessageKeys.sign(new Message(body, props)));
    }

    private static String orderId(Envelope<PaymentAuthorized> paid) {
        return paid.data().orderId().toString();
    }

    private void awaitShipment(Envelope<PaymentAuthorized> paid) {
        await().atMost(DEADLINE)
                .until(() -> jdbc.sql("SELECT count(*) FROM shipments WHERE order_id = ?")
                                .param(paid.data().orderId())
                                .query(Long.class)
                                .single()
                        == 1);
    }

    private long outbox(Envelope<PaymentAuthorized> paid) {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND event_type = ?")
                .params(orderId(paid), EventTypes.SHIPMENT_SCHEDULED)
                .query(Long.class)
                .single();
    }

    private Map<String, Object> booking(Envelope<PaymentAuthorized> paid) {
        return jdbc.sql("SELECT shipment_id, requests FROM carrier_bookings WHERE idempotency_key = ?")
                .param(orderId(paid))
                .query()
                .singleRow();
    }

    private long parked(Envelope<?> envelope) {
        return jdbc.sql("SELECT count(*) FROM parked_messages WHERE message_id = ?")
                .param(envelope.eventId().toString())
                .query(Long.class)
                .single();
    }

    private double retried() {
        var counter = meters.find("orderly.consumer.messages")
                .tag("event_type", EventTypes.PAYMENT_AUTHORIZED)
                .tag("outcome", "retried")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private long depth(String queue) {
        return rabbit.execute(channel -> channel.queueDeclarePassive(queue).getMessageCount());
    }
}
