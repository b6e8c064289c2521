package dev.orderly.worker.payment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.ReservedLine;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.config.ConsumerAutoConfiguration;
import dev.orderly.testsupport.BatchMeters;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import dev.orderly.worker.payment.gateway.GuardedPaymentGateway;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * payment-worker against the real broker and database: each reserved order is charged once, declines follow the
 * simulator's rules, an unavailable gateway or open circuit is retried (never parked), and a crash after the charge
 * does not charge again.
 */
@SpringBootTest
@RealInfrastructure
@Import(ScriptedGateway.class)
class PaymentWorkerIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    GuardedPaymentGateway gateway;

    @Autowired
    MeterRegistry meters;

    @Autowired
    @Qualifier(ConsumerAutoConfiguration.WORK_CONTAINER)
    SimpleMessageListenerContainer container;

    @BeforeEach
    void startTheContainer() {
        if (!container.isRunning()) {
            container.start();
        }
    }

    @Test
    void reservedOrderIsChargedOnceAndAnnounced() {
        Envelope<InventoryReserved> reserved = reserved("c-1", 2500);

        publish(reserved);

        awaitPayment(reserved, "AUTHORIZED");
        assertThat(outbox(reserved, EventTypes.PAYMENT_AUTHORIZED)).isEqualTo(1);
        assertThat(ledger(reserved)).containsEntry("requests", 1).containsEntry("approved", true);
        assertThat(jdbc.sql("SELECT payload::text FROM outbox WHERE aggregate_id = ?")
                        .param(orderId(reserved))
                        .query(String.class)
                        .single())
                .contains((String) ledger(reserved).get("payment_id"));
    }

    /**
     * A batch asks the gateway for all its orders at once before its handlers run, and each handler takes its own
     * order's answer: all 12 calls are in flight together (one after the other, the four consumers could have at most
     * four), every order is asked once (were a handler not to find the call made ahead, it would ask again), and
     * charged once.
     */
    @Test
    void aBatchAsksTheGatewayForAllItsOrdersAtOnceAndEachOnce() {
        List<Envelope<InventoryReserved>> orders = new ArrayList<>();
        ScriptedGateway.Script.Together together =
                new ScriptedGateway.Script.Together(new CountDownLatch(12), new AtomicInteger());
        for (int i = 0; i < 12; i++) {
            orders.add(reserved("c-batch-" + i, 100 + i));
            ScriptedGateway.SCRIPTS.put(orderId(orders.getLast()), together);
        }
        container.stop();
        orders.forEach(this::publish);
        await().atMost(DEADLINE).until(() -> depth(Topology.workQueue("payment")) == orders.size());
        double batchesBefore = batches();
        double fallbacksBefore = batchFallbacks();

        container.start();

        orders.forEach(order -> awaitPayment(order, "AUTHORIZED"));
        assertThat(together.apart()).as("every call met the others in flight").hasValue(0);
        assertThat(orders)
                .as("each order asked once and charged once")
                .allSatisfy(order -> assertThat(ledger(order)).containsEntry("requests", 1));
        await("the batches counted after their commits").atMost(DEADLINE).until(() -> batches() > batchesBefore);
        assertThat(batchFallbacks()).as("no batch rolled back").isEqualTo(fallbacksBefore);
    }

    @Test
    void declineRulesProducePaymentDeclined() {
        Envelope<InventoryReserved> blocked = reserved("decline-bob", 100);
        Envelope<InventoryReserved> tooMuch = reserved("c-2", 1_000_001);

        publish(blocked);
        publish(tooMuch);

        awaitPayment(blocked, "DECLINED");
        awaitPayment(tooMuch, "DECLINED");
        assertThat(outbox(blocked, EventTypes.PAYMENT_DECLINED)).isEqualTo(1);
        assertThat(outbox(tooMuch, EventTypes.PAYMENT_DECLINED)).isEqualTo(1);
        assertThat(ledger(tooMuch).get("decline_reason").toString()).contains("exceeds the limit");
    }

    @Test
    void sameEventDeliveredTwiceChargesOnce() {
        Envelope<InventoryReserved> reserved = reserved("c-3", 700);

        publish(reserved);
        publish(reserved);

        awaitPayment(reserved, "AUTHORIZED");
        await().atMost(DEADLINE).until(() -> depth(Topology.workQueue("payment")) == 0);
        assertThat(ledger(reserved)).containsEntry("requests", 1);
        assertThat(outbox(reserved, EventTypes.PAYMENT_AUTHORIZED)).isEqualTo(1);
    }

    @Test
    void crashBetweenChargeAndCommitDoesNotChargeTwice() {
        Envelope<InventoryReserved> reserved = reserved("c-4", 900);
        ScriptedGateway.SCRIPTS.put(orderId(reserved), new ScriptedGateway.Script.CrashAfterChargeFirst(1));

        publish(reserved);

        awaitPayment(reserved, "AUTHORIZED");
        assertThat(ledger(reserved))
                .as("asked twice, charged once, the same payment id announced")
                .containsEntry("requests", 2);
        assertThat(jdbc.sql("SELECT count(*) FROM payment_ledger WHERE idempotency_key = ?")
                        .param(orderId(reserved))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(outbox(reserved, EventTypes.PAYMENT_AUTHORIZED)).isEqualTo(1);
    }

    @Test
    void unavailableGatewayIsRetriedThroughTheTiersThenCharges() {
        Envelope<InventoryReserved> reserved = reserved("c-5", 300);
        ScriptedGateway.SCRIPTS.put(orderId(reserved), new ScriptedGateway.Script.UnavailableFirst(2));

        publish(reserved);

        awaitPayment(reserved, "AUTHORIZED");
        assertThat(ScriptedGateway.CALLS.get(orderId(reserved)).get()).isEqualTo(3);
        assertThat(parked(reserved)).isZero();
    }

    @Test
    void openCircuitSendsToRetryNotToTheParkingLot() {
        Envelope<InventoryReserved> reserved = reserved("c-6", 400);
        double retriedBefore = retried();
        gateway.circuitBreaker().transitionToForcedOpenState();
        try {
            publish(reserved);
            await().atMost(DEADLINE).until(() -> retried() > retriedBefore);
            assertThat(parked(reserved)).isZero();
            assertThat(ScriptedGateway.CALLS.get(orderId(reserved)))
                    .as("the open circuit let no call through")
                    .isNull();
        } finally {
            gateway.circuitBreaker().transitionToClosedState();
        }

        awaitPayment(reserved, "AUTHORIZED");
        assertThat(parked(reserved)).isZero();
    }

    @Test
    void poisonIsParkedWhileTheNextEventStillFlows() {
        String poison = UUID.randomUUID().toString();
        Envelope<InventoryReserved> good = reserved("c-7", 100);
        String json = new String(new EventCodec().toJson(good), java.nio.charset.StandardCharsets.UTF_8);

        send(
                EventTypes.INVENTORY_RESERVED,
                poison,
                json.replace("\"event_version\":1", "\"event_version\":2")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        publish(good);

        awaitPayment(good, "AUTHORIZED");
        await().atMost(DEADLINE)
                .until(() -> jdbc.sql("SELECT count(*) FROM parked_messages WHERE message_id = ? AND reason = ?")
                                .params(poison, "UNKNOWN_VERSION")
                                .query(Long.class)
                                .single()
                        == 1);
    }

    private static Envelope<InventoryReserved> reserved(String customer, long total) {
        UUID orderId = UUID.randomUUID();
        return Envelope.of(
                new InventoryReserved(orderId, customer, "EUR", total, List.of(new ReservedLine("SKU-1", 1))),
                "order-worker",
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

    private static String orderId(Envelope<InventoryReserved> reserved) {
        return reserved.data().orderId().toString();
    }

    private void awaitPayment(Envelope<InventoryReserved> reserved, String status) {
        await().atMost(DEADLINE)
                .until(() -> jdbc.sql("SELECT status FROM payments WHERE order_id = ?")
                        .param(reserved.data().orderId())
                        .query(String.class)
                        .optional()
                        .filter(status::equals)
                        .isPresent());
    }

    private long outbox(Envelope<InventoryReserved> reserved, String eventType) {
        return jdbc.sql("SELECT count(*) FROM outbox WHERE aggregate_id = ? AND event_type = ?")
                .params(orderId(reserved), eventType)
                .query(Long.class)
                .single();
    }

    private Map<String, Object> ledger(Envelope<InventoryReserved> reserved) {
        return jdbc.sql("SELECT payment_id, approved, decline_reason, requests FROM payment_ledger "
                        + "WHERE idempotency_key = ?")
                .param(orderId(reserved))
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
                .tag("event_type", EventTypes.INVENTORY_RESERVED)
                .tag("outcome", "retried")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double batches() {
        return BatchMeters.batches(meters);
    }

    private double batchFallbacks() {
        return BatchMeters.fallbacks(meters);
    }

    private long depth(String queue) {
        return rabbit.execute(channel -> channel.queueDeclarePassive(queue).getMessageCount());
    }
}
