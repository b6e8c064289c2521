package dev.orderly.worker.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.config.ConsumerAutoConfiguration;
import dev.orderly.testsupport.BatchMeters;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * order-worker against the real broker and database: orders move PENDING → RESERVED → PAID → SHIPPED, or to REJECTED
 * or CANCELLED, with every stock effect exactly once, and parked events can be replayed from the management side.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@RealInfrastructure
@Import(OrdersSchema.class)
class OrderWorkerIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    PlatformTransactionManager transactions;

    @LocalServerPort
    int managementPort;

    @Autowired
    @Qualifier(ConsumerAutoConfiguration.WORK_CONTAINER)
    SimpleMessageListenerContainer container;

    OrderEvents events;

    @BeforeEach
    void setUp() {
        events = new OrderEvents(rabbit, jdbc);
        if (!container.isRunning()) {
            container.start();
        }
    }

    @Test
    void orderIsReservedPaidAndShippedWithItsStockHeldThenFulfilled() {
        String sku = sku();
        events.stock(sku, 10);
        Envelope<OrderCreated> created = events.pendingOrder(List.of(new OrderLine(sku, 3, 500)));
        UUID orderId = created.data().orderId();

        events.publish(created);
        awaitStatus(orderId, "RESERVED");
        assertThat(events.stockOf(sku)).containsExactly(10, 3);
        assertThat(events.outbox(orderId, EventTypes.INVENTORY_RESERVED)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT headers->>'traceparent' FROM outbox WHERE aggregate_id = ? AND event_type = ?")
                        .params(orderId.toString(), EventTypes.INVENTORY_RESERVED)
                        .query(String.class)
                        .single())
                .as("the trace follows the order")
                .isEqualTo(OrderEvents.TRACEPARENT);

        events.publish(
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-1", "c-1", 1500, "EUR"), "payment-worker"));
        awaitStatus(orderId, "PAID");

        events.publish(shipment(orderId));
        awaitStatus(orderId, "SHIPPED");
        assertThat(events.stockOf(sku))
                .as("shipped stock leaves on_hand and reserved")
                .containsExactly(7, 0);
        assertThat(events.timeline(orderId))
                .contains("inventory.reserved:RESERVED", "payment.authorized:PAID", "shipment.scheduled:SHIPPED");
    }

    @Test
    void aStockRowLockedByAnotherSessionSendsItsOrderToARetryTierWhileOtherSkusFlowAndItReservesOnceReleased()
            throws Exception {
        String locked = sku();
        String free = sku();
        events.stock(locked, 10);
        events.stock(free, 10);
        Envelope<OrderCreated> waiting = events.pendingOrder(List.of(new OrderLine(locked, 1, 100)));
        Envelope<OrderCreated> flowing = events.pendingOrder(List.of(new OrderLine(free, 1, 100)));
        double retriedBefore = retried(EventTypes.ORDER_CREATED);
        double parkedBefore = outcome(EventTypes.ORDER_CREATED, "parked");

        try (java.sql.Connection operator =
                dev.orderly.testsupport.OrderlyInfrastructure.postgres().connectAsSuperuser()) {
            // An operator's open transaction holding the hot row: BEGIN; UPDATE orders.inventory ... (not committed).
            operator.setAutoCommit(false);
            try (java.sql.Statement sql = operator.createStatement()) {
                sql.execute("UPDATE orders.inventory SET on_hand = on_hand WHERE sku = '" + locked + "'");
            }

            events.publish(waiting);
            events.publish(flowing);

            awaitStatus(flowing.data().orderId(), "RESERVED");
            await("the locked order's delivery gives up on the lock (lock_timeout) and goes to a retry tier")
                    .atMost(DEADLINE)
                    .until(() -> retried(EventTypes.ORDER_CREATED) > retriedBefore);
            assertThat(events.status(waiting.data().orderId())).isEqualTo("PENDING");
            operator.rollback();
        }

        awaitStatus(waiting.data().orderId(), "RESERVED");
        assertThat(events.stockOf(locked)).containsExactly(10, 1);
        assertThat(outcome(EventTypes.ORDER_CREATED, "parked"))
                .as("never parked")
                .isEqualTo(parkedBefore);
        assertThat(events.retries(waiting.data().orderId()))
                .as("the reservation's step on the timeline shows it was retried")
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .matches("inventory\\.reserved:RESERVED [1-9][0-9]* false");
        assertThat(jdbc.sql("SELECT (headers->>'orderly-cause-retries')::int FROM outbox WHERE aggregate_id = ? "
                                + "AND event_type = ?")
                        .params(waiting.data().orderId().toString(), EventTypes.INVENTORY_RESERVED)
                        .query(Integer.class)
                        .single())
                .as("and so does the event it caused, for the next stage")
                .isPositive();
        assertThat(events.retries(flowing.data().orderId())).containsExactly("inventory.reserved:RESERVED 0 false");
        assertThat(jdbc.sql("SELECT headers->>'orderly-cause-retries' IS NOT NULL FROM outbox WHERE aggregate_id = ? "
                                + "AND event_type = ?")
                        .params(flowing.data().orderId().toString(), EventTypes.INVENTORY_RESERVED)
                        .query(Boolean.class)
                        .single())
                .as("a first delivery's event carries no retries")
                .isFalse();
    }

    /**
     * A step's retries on the timeline: those its producer recorded for the delivery that caused the event, and a
     * replay; a shipment held for its payment keeps its own until it is applied.
     */
    @Test
    void eachStepOnTheTimelineShowsTheRetriesAndReplaysItsEventsDeliveriesTook() {
        String sku = sku();
        events.stock(sku, 5);
        UUID orderId = reservedOrder(sku, 1);

        double heldBefore = heldShipments("held");
        events.publish(shipment(orderId), Map.of(MessageHeaders.CAUSE_RETRIES, 3));
        await().atMost(DEADLINE).until(() -> heldShipments("held") > heldBefore);
        events.publish(
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-3", "c-1", 100, "EUR"), "payment-worker"),
                Map.of(MessageHeaders.CAUSE_RETRIES, "2", MessageHeaders.CAUSE_REPLAYED, "true"));
        awaitStatus(orderId, "SHIPPED");

        assertThat(events.retries(orderId))
                .containsExactly(
                        "inventory.reserved:RESERVED 0 false",
                        "payment.authorized:PAID 2 true",
                        "shipment.scheduled:SHIPPED 3 false");
    }

    /**
     * Two consumers each apply a batch of orders in one transaction, taking the same two SKUs in opposite orders
     * (first, second, first, ... against second, first, ...). Without the batch's locks taken up front in one order
     * the two transactions deadlock, PostgreSQL aborts one and its batch falls back to one delivery at a time.
     */
    @Test
    void batchesTakingTheSameSkusInOppositeOrdersDoNotDeadlock() {
        String first = sku();
        String second = sku();
        events.stock(first, 30);
        events.stock(second, 30);
        container.stop();
        List<Envelope<OrderCreated>> orders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Whether the consumers split the queue in halves or by turns, each gets both SKUs, in opposite orders.
            String sku = (i % 2 == 0) == (i < 20) ? first : second;
            orders.add(events.pendingOrder(List.of(new OrderLine(sku, 1, 100))));
        }
        orders.forEach(events::publish);
        await().atMost(DEADLINE)
                .until(() -> rabbit.execute(channel ->
                                channel.queueDeclarePassive("order.work").getMessageCount())
                        == 40);
        double fallbacksBefore = batchFallbacks();
        double batchesBefore = batches();

        container.start();

        orders.forEach(order -> awaitStatus(order.data().orderId(), "RESERVED"));
        assertThat(events.stockOf(first)).containsExactly(30, 20);
        assertThat(events.stockOf(second)).containsExactly(30, 20);
        assertThat(batches()).as("applied in batches").isGreaterThan(batchesBefore);
        assertThat(batchFallbacks()).as("no batch rolled back").isEqualTo(fallbacksBefore);
    }

    /**
     * Each order's payment and then its shipment in one batch: the batch reads its orders once, when it locks them,
     * and the shipment must see the status the payment just moved its order to (PAID), not the one read (RESERVED),
     * else it would be held for a payment that has already been applied and its order would stay PAID.
     */
    @Test
    void aPaymentAndItsShipmentInOneBatchShipTheOrder() {
        String sku = sku();
        events.stock(sku, 10);
        List<UUID> orderIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orderIds.add(reservedOrder(sku, 1));
        }
        container.stop();
        for (UUID orderId : orderIds) {
            events.publish(OrderEvents.envelope(
                    new PaymentAuthorized(orderId, "pay-" + orderId, "c-1", 100, "EUR"), "payment-worker"));
            events.publish(shipment(orderId));
        }
        await().atMost(DEADLINE).until(() -> queueDepth() == 2L * orderIds.size());
        double fallbacksBefore = batchFallbacks();
        double batchesBefore = batches();

        container.start();

        orderIds.forEach(orderId -> awaitStatus(orderId, "SHIPPED"));
        assertThat(events.stockOf(sku)).as("each shipped once").containsExactly(5, 0);
        assertThat(batches()).as("applied in batches").isGreaterThan(batchesBefore);
        assertThat(batchFallbacks()).as("no batch rolled back").isEqualTo(fallbacksBefore);
        assertThat(events.timeline(orderIds.getFirst()))
                .contains("payment.authorized:PAID", "shipment.scheduled:SHIPPED");
    }

    @Test
    void orderWithoutEnoughStockIsRejectedAndHoldsNothing() {
        String plenty = sku();
        String scarce = sku();
        events.stock(plenty, 10);
        events.stock(scarce, 1);
        Envelope<OrderCreated> created = events.pendingOrder(
                List.of(new OrderLine(plenty, 2, 100), new OrderLine(scarce, 2, 100), new OrderLine(sku(), 1, 1)));
        UUID orderId = created.data().orderId();

        events.publish(created);

        awaitStatus(orderId, "REJECTED");
        assertThat(events.stockOf(plenty)).as("all or nothing").containsExactly(10, 0);
        assertThat(events.stockOf(scarce)).containsExactly(1, 0);
        assertThat(events.outbox(orderId, EventTypes.INVENTORY_REJECTED)).isEqualTo(1);
        assertThat(jdbc.sql("SELECT payload::text FROM outbox WHERE aggregate_id = ? AND event_type = ?")
                        .params(orderId.toString(), EventTypes.INVENTORY_REJECTED)
                        .query(String.class)
                        .single())
                .contains("\"available\":1")
                .contains("\"available\":0");
    }

    @Test
    void declinedPaymentReleasesTheStockOnceAndCancelsTheOrder() {
        String sku = sku();
        events.stock(sku, 5);
        UUID orderId = reservedOrder(sku, 4);

        Envelope<PaymentDeclined> declined =
                OrderEvents.envelope(new PaymentDeclined(orderId, "card refused", 400, "EUR"), "payment-worker");
        events.publish(declined);
        events.publish(declined);

        awaitStatus(orderId, "CANCELLED");
        await().atMost(DEADLINE).until(() -> queueDepth() == 0);
        assertThat(events.stockOf(sku)).containsExactly(5, 0);
    }

    @Test
    void shipmentHeldWhileThePaymentWaitsForTheOrderLockIsAppliedWithThePayment() throws Exception {
        String sku = sku();
        events.stock(sku, 5);
        UUID orderId = reservedOrder(sku, 1);

        // The shipment's transaction holds the order's lock and holds the shipment ...
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        CompletableFuture<Void> shipmentTransaction =
                CompletableFuture.runAsync(() -> new TransactionTemplate(transactions).executeWithoutResult(status -> {
                    jdbc.sql("SELECT id FROM orders WHERE id = ? FOR UPDATE")
                            .param(orderId)
                            .query(UUID.class)
                            .single();
                    jdbc.sql("INSERT INTO early_shipments (order_id, event_id, event_type, detail, occurred_at) "
                                    + "VALUES (?, ?, 'shipment.scheduled', 'simulated-post TRACK-R', now())")
                            .params(orderId, UUID.randomUUID())
                            .update();
                    holding.countDown();
                    try {
                        assertThat(commit.await(30, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }));
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
        // ... while the payment arrives and waits for that lock; then the shipment's transaction commits.
        events.publish(
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-r", "c-1", 100, "EUR"), "payment-worker"));
        await().atMost(DEADLINE)
                .until(() -> jdbc.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                        + "AND query ILIKE '%FROM orders%FOR UPDATE%'")
                                .query(Long.class)
                                .single()
                        > 0);
        commit.countDown();
        shipmentTransaction.get(30, TimeUnit.SECONDS);

        awaitStatus(orderId, "SHIPPED");
        assertThat(events.stockOf(sku)).containsExactly(4, 0);
        assertThat(count("SELECT count(*) FROM early_shipments WHERE order_id = ?", orderId))
                .isZero();
    }

    @Test
    void eventsMeetingTheirOrderInAnotherStateAreNotedNotApplied() {
        String sku = sku();
        events.stock(sku, 5);
        UUID orderId = reservedOrder(sku, 1);
        events.publish(
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-a", "c-1", 100, "EUR"), "payment-worker"));
        awaitStatus(orderId, "PAID");

        // A second, different authorization of a PAID order: a late duplicate from the provider's side.
        Envelope<PaymentAuthorized> again =
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-b", "c-1", 100, "EUR"), "payment-worker");
        events.publish(again);
        // A decline for an order that is PAID can no longer apply.
        Envelope<PaymentDeclined> late =
                OrderEvents.envelope(new PaymentDeclined(orderId, "too late", 100, "EUR"), "payment-worker");
        events.publish(late);

        await().atMost(DEADLINE)
                .untilAsserted(() -> assertThat(notes(orderId))
                        .contains(
                                again.eventId() + ": PAID already PAID",
                                late.eventId() + ": PAID ignored: the order was PAID, payment.declined applies to "
                                        + "RESERVED"));
        assertThat(events.status(orderId)).isEqualTo("PAID");
        assertThat(events.stockOf(sku)).as("still held, not released").containsExactly(5, 1);
    }

    @Test
    void paymentForAnOrderThatDoesNotExistIsParked() {
        UUID orderId = UUID.randomUUID();
        Envelope<PaymentAuthorized> orphan =
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-x", "c-1", 100, "EUR"), "payment-worker");
        events.publish(orphan);
        await().atMost(DEADLINE)
                .until(() -> count(
                                "SELECT count(*) FROM parked_messages WHERE message_id = ? AND reason = "
                                        + "'PERMANENT_FAILURE'",
                                orphan.eventId().toString())
                        == 1);
    }

    @Test
    void sameOrderCreatedDeliveredTwiceReservesOnce() {
        String sku = sku();
        events.stock(sku, 10);
        Envelope<OrderCreated> created = events.pendingOrder(List.of(new OrderLine(sku, 2, 100)));

        events.publish(created);
        events.publish(created);

        awaitStatus(created.data().orderId(), "RESERVED");
        await().atMost(DEADLINE).until(() -> queueDepth() == 0);
        assertThat(events.stockOf(sku)).containsExactly(10, 2);
        assertThat(events.outbox(created.data().orderId(), EventTypes.INVENTORY_RESERVED))
                .isEqualTo(1);
    }

    @Test
    void concurrentOrdersNeverOversell() {
        String sku = sku();
        String shared = sku();
        events.stock(sku, 10);
        events.stock(shared, 1000);
        List<UUID> orders = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Two SKUs in both orders of lock: a deadlock between reservations would show up as retries or parking.
            List<OrderLine> lines = i % 2 == 0
                    ? List.of(new OrderLine(sku, 1, 100), new OrderLine(shared, 1, 100))
                    : List.of(new OrderLine(shared, 1, 100), new OrderLine(sku, 1, 100));
            Envelope<OrderCreated> created = events.pendingOrder(lines);
            orders.add(created.data().orderId());
            events.publish(created);
        }

        await().atMost(DEADLINE)
                .until(() -> count(
                                "SELECT count(*) FROM orders WHERE id = ANY (?) AND status IN "
                                        + "('RESERVED', 'REJECTED')",
                                orders.toArray(UUID[]::new))
                        == 40);
        assertThat(count(
                        "SELECT count(*) FROM orders WHERE id = ANY (?) AND status = 'RESERVED'",
                        orders.toArray(UUID[]::new)))
                .isEqualTo(10);
        assertThat(events.stockOf(sku)).containsExactly(10, 10);
        assertThat(events.stockOf(shared)).containsExactly(1000, 10);
    }

    @Test
    void shipmentArrivingBeforeThePaymentIsHeldAndAppliedWithThePayment() {
        String sku = sku();
        events.stock(sku, 5);
        UUID orderId = reservedOrder(sku, 1);

        double retriedBefore = retried(EventTypes.SHIPMENT_SCHEDULED);
        double heldBefore = heldShipments("held");
        Envelope<ShipmentScheduled> shipment = shipment(orderId);
        events.publish(shipment);
        await().atMost(DEADLINE).until(() -> heldShipments("held") > heldBefore);
        assertThat(events.status(orderId)).isEqualTo("RESERVED");
        assertThat(count("SELECT count(*) FROM early_shipments WHERE order_id = ?", orderId))
                .isOne();
        assertThat(retried(EventTypes.SHIPMENT_SCHEDULED))
                .as("held, not sent through a retry tier")
                .isEqualTo(retriedBefore);

        events.publish(
                OrderEvents.envelope(new PaymentAuthorized(orderId, "pay-2", "c-1", 100, "EUR"), "payment-worker"));
        awaitStatus(orderId, "SHIPPED");
        assertThat(events.stockOf(sku)).as("the stock left once").containsExactly(4, 0);
        assertThat(events.timeline(orderId))
                .containsSubsequence(
                        "inventory.reserved:RESERVED", "payment.authorized:PAID", "shipment.scheduled:SHIPPED");
        assertThat(count("SELECT count(*) FROM early_shipments WHERE order_id = ?", orderId))
                .as("taken when applied")
                .isZero();

        // The same shipment delivered again changes nothing (it is a recorded duplicate).
        double duplicatesBefore = outcome(EventTypes.SHIPMENT_SCHEDULED, "duplicate");
        events.publish(shipment);
        await().atMost(DEADLINE).until(() -> outcome(EventTypes.SHIPMENT_SCHEDULED, "duplicate") > duplicatesBefore);
        assertThat(events.stockOf(sku)).containsExactly(4, 0);
    }

    @Test
    void poisonIsParkedWhileTheNextOrderStillFlows() {
        String sku = sku();
        events.stock(sku, 5);
        String poison = UUID.randomUUID().toString();
        events.publish(EventTypes.ORDER_CREATED, poison, "{\"event_id\": 42}".getBytes());
        Envelope<OrderCreated> created = events.pendingOrder(List.of(new OrderLine(sku, 1, 100)));
        events.publish(created);

        awaitStatus(created.data().orderId(), "RESERVED");
        await().atMost(DEADLINE)
                .until(() -> count(
                                "SELECT count(*) FROM parked_messages WHERE message_id = ? AND reason = "
                                        + "'SCHEMA_INVALID'",
                                poison)
                        == 1);
    }

    @Test
    void eventForAnUnknownOrderIsParkedAndReplayedOnceFromTheManagementSide() throws Exception {
        String sku = sku();
        events.stock(sku, 5);
        Envelope<OrderCreated> created = events.pendingOrder(List.of(new OrderLine(sku, 2, 100)));
        UUID orderId = created.data().orderId();
        // Not stored yet as far as the worker can see: park it, then fix the data and replay.
        jdbc.sql("DELETE FROM orders WHERE id = ?").param(orderId).update();
        events.publish(created);
        long id = await().atMost(DEADLINE)
                .until(
                        () -> jdbc.sql("SELECT id FROM parked_messages WHERE message_id = ?")
                                .param(created.eventId().toString())
                                .query(Long.class)
                                .list(),
                        ids -> ids.size() == 1)
                .get(0);

        String operator = TestTokens.forClient(
                "operator", "parkinglot:read", "parkinglot:replay", "parkinglot:purge", "actuator:read");
        HttpResponse<String> list =
                http("GET", "/actuator/parkinglot?reason=PERMANENT_FAILURE&size=500", null, operator);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(created.eventId().toString());
        HttpResponse<String> show = http("GET", "/actuator/parkinglot/" + id, null, operator);
        assertThat(show.body()).contains("No order " + orderId).contains("orderly-failure-reason");
        assertThat(http("DELETE", "/actuator/parkinglot?id=" + id + "&confirm=yes", null, operator)
                        .statusCode())
                .as("a purge needs the queue name")
                .isEqualTo(400);

        long parkedBefore = parkedRows();
        assertThat(http(
                                "DELETE",
                                "/actuator/parkinglot?id=" + id + "&confirm=order.parking-lot",
                                null,
                                TestTokens.forClient("operator", "parkinglot:read", "parkinglot:replay"))
                        .statusCode())
                .as("a purge without parkinglot:purge")
                .isEqualTo(403);
        assertThat(parkedRows()).as("parked rows after a refused purge").isEqualTo(parkedBefore);
        assertThat(http(
                                "POST",
                                "/actuator/parkinglot",
                                "{\"id\": " + id + "}",
                                TestTokens.forClient("operator", "parkinglot:read", "parkinglot:purge"))
                        .statusCode())
                .as("a replay without parkinglot:replay")
                .isEqualTo(403);
        assertThat(http("POST", "/actuator/parkinglot", "{\"id\": " + id + ", \"actor\": \"alice\"}", operator)
                        .statusCode())
                .as("a replay that names its own actor")
                .isEqualTo(400);
        assertThat(parkedRows()).as("nothing replayed or purged yet").isEqualTo(parkedBefore);

        events.pendingOrderWithId(created);
        HttpResponse<String> replay = http("POST", "/actuator/parkinglot", "{\"id\": " + id + "}", operator);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).contains("\"replayed\":1");

        awaitStatus(orderId, "RESERVED");
        assertThat(events.stockOf(sku)).containsExactly(5, 2);
        assertThat(http("POST", "/actuator/parkinglot", "{\"id\": " + id + "}", operator)
                        .statusCode())
                .as("replayed once: it is gone")
                .isEqualTo(404);
        assertThat(jdbc.sql("SELECT actor, action, affected FROM parking_audit WHERE selection = ? ORDER BY id")
                        .param("id=" + id)
                        .query()
                        .listOfRows())
                .as("the audit names the token's subject, and only the replay that ran")
                .first()
                .isEqualTo(Map.of("actor", "operator", "action", "REPLAY", "affected", 1));
    }

    @Test
    void theManagementSideAnswersOnlyTokensWithTheRightScopeButTheProbes() throws Exception {
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            HttpResponse<String> open = http("GET", probe, null, null);
            assertThat(open.statusCode()).as(probe).isEqualTo(200);
            assertThat(open.body()).as(probe).doesNotContain("components");
        }
        assertThat(http("GET", "/actuator/health/readiness", null, TestTokens.forClient("operator", "actuator:read"))
                        .body())
                .contains("workQueueListener");

        HttpResponse<String> anonymous = http("GET", "/actuator/prometheus", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(header -> assertThat(header).startsWith("Bearer"));
        assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(http("GET", "/actuator/prometheus", null, TestTokens.forClient("operator", "actuator:read"))
                        .statusCode())
                .isEqualTo(403);
        HttpResponse<String> scraped =
                http("GET", "/actuator/prometheus", null, TestTokens.forClient("monitoring", "metrics:read"));
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.body()).contains("application=\"order-worker\"");

        assertThat(http("GET", "/actuator/parkinglot", null, TestTokens.forClient("monitoring", "metrics:read"))
                        .statusCode())
                .as("the parking lot without parkinglot:read")
                .isEqualTo(403);
    }

    private long parkedRows() {
        return jdbc.sql("SELECT count(*) FROM parked_messages")
                .query(Long.class)
                .single();
    }

    private HttpResponse<String> http(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Envelope<ShipmentScheduled> shipment(UUID orderId) {
        return OrderEvents.envelope(
                new ShipmentScheduled(
                        orderId,
                        "shp-1",
                        "simulated-post",
                        "TRACK-1",
                        LocalDate.now().plusDays(2)),
                "shipping-worker");
    }

    /** Publishes the order.created of a new order for {@code quantity} of {@code sku} and awaits it RESERVED. */
    private UUID reservedOrder(String sku, int quantity) {
        Envelope<OrderCreated> created = events.pendingOrder(List.of(new OrderLine(sku, quantity, 100)));
        events.publish(created);
        awaitStatus(created.data().orderId(), "RESERVED");
        return created.data().orderId();
    }

    private void awaitStatus(UUID orderId, String status) {
        await().atMost(DEADLINE)
                .untilAsserted(() -> assertThat(events.status(orderId)).isEqualTo(status));
    }

    private List<String> notes(UUID orderId) {
        return jdbc.sql("SELECT event_id || ': ' || status || ' ' || coalesce(detail, '') FROM order_timeline "
                        + "WHERE order_id = ? ORDER BY recorded_at")
                .param(orderId)
                .query(String.class)
                .list();
    }

    private long count(String sql, Object param) {
        return jdbc.sql(sql).param(param).query(Long.class).single();
    }

    private double batches() {
        return BatchMeters.batches(meters);
    }

    private double batchFallbacks() {
        return BatchMeters.fallbacks(meters);
    }

    private double retried(String eventType) {
        return outcome(eventType, "retried");
    }

    private double outcome(String eventType, String outcome) {
        var counter = meters.find("orderly.consumer.messages")
                .tag("event_type", eventType)
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private double heldShipments(String outcome) {
        var counter = meters.find("orderly.order.shipments.held")
                .tag("outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private long queueDepth() {
        return rabbit.execute(
                channel -> channel.queueDeclarePassive("order.work").getMessageCount());
    }

    private static String sku() {
        return "SKU-" + UUID.randomUUID();
    }
}
