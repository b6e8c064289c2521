package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.Shortage;
import dev.orderly.messaging.config.ConsumerAutoConfiguration;
import dev.orderly.messaging.config.ParkingLotAutoConfiguration;
import dev.orderly.messaging.consumer.ProbeApplication.Probe;
import dev.orderly.messaging.consumer.ProbeApplication.Script;
import dev.orderly.testsupport.RealInfrastructure;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The runtime against the real broker and database, through a probe consumer: each delivery is applied once, acked
 * after commit, retried through the delay tiers or parked with its reason, and never blocks the queue.
 */
@SpringBootTest(classes = ProbeApplication.class)
@RealInfrastructure
class ReliableListenerIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    RabbitAdmin admin;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Probe probe;

    @Autowired
    MeterRegistry meters;

    @Autowired
    @Qualifier(ConsumerAutoConfiguration.WORK_CONTAINER)
    SimpleMessageListenerContainer container;

    @Autowired
    @Qualifier(ParkingLotAutoConfiguration.PARKING_CONTAINER)
    SimpleMessageListenerContainer parkingLotContainer;

    @Autowired
    WorkQueueListenerHealthIndicator listenerHealth;

    ProbeMessages messages;

    @BeforeEach
    void setUp() {
        messages = new ProbeMessages(rabbit);
        if (!container.isRunning()) {
            container.start();
        }
    }

    @Test
    void eventIsAppliedOnceAndAcked() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();

        messages.publish(event);

        awaitEffects(event, 1);
        awaitWorkQueueEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM processed_events WHERE consumer = 'probe' AND event_id = ?")
                        .param(event.eventId())
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
        assertThat(counter(EventTypes.ORDER_CREATED, "processed")).isPositive();
        assertThat(meters.find("orderly.event.age").tag("consumer", "probe").timer())
                .isNotNull()
                .satisfies(timer -> assertThat(timer.count()).isPositive());
    }

    @Test
    void sameEventDeliveredTwiceHasOneEffectAndIsCountedAsDuplicate() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        double duplicatesBefore = counter(EventTypes.ORDER_CREATED, "duplicate");

        messages.publish(event);
        messages.publish(event);

        await().atMost(DEADLINE).until(() -> counter(EventTypes.ORDER_CREATED, "duplicate") >= duplicatesBefore + 1);
        awaitWorkQueueEmpty();
        assertThat(effects(event)).isEqualTo(1);
    }

    @Test
    void transientFailuresAreRetriedThroughTheTiersThenSucceed() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        probe.script(event.correlationId(), new Script.FailTransiently(2));

        messages.publish(event);

        awaitEffects(event, 1);
        assertThat(jdbc.sql("SELECT attempt FROM probe_effects WHERE event_id = ?")
                        .param(event.eventId())
                        .query(Integer.class)
                        .single())
                .as("applied on the third delivery, after the 200ms and 400ms tiers")
                .isEqualTo(3);
        assertThat(parked(event)).isEmpty();
    }

    @Test
    void transientFailureOnEveryAttemptIsParkedWithItsHistory() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        probe.script(event.correlationId(), new Script.FailTransiently(Integer.MAX_VALUE));

        messages.publish(event);

        Map<String, Object> row = awaitParked(event);
        assertThat(row.get("reason")).isEqualTo("ATTEMPTS_EXHAUSTED");
        assertThat(row.get("attempts")).isEqualTo(3);
        assertThat(row.get("original_routing_key")).isEqualTo(EventTypes.ORDER_CREATED);
        assertThat((String) row.get("exception")).contains("TransientFailure").contains("attempt 3");
        assertThat(row.get("headers").toString())
                .contains("orderly-parked-at")
                .contains("orderly-failure-reason")
                .contains("traceparent");
        assertThat(effects(event)).isZero();
    }

    @Test
    void permanentFailureIsParkedAtOnceWithItsReason() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        probe.script(event.correlationId(), new Script.FailPermanently());

        messages.publish(event);

        Map<String, Object> row = awaitParked(event);
        assertThat(row.get("reason")).isEqualTo("PERMANENT_FAILURE");
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat((String) row.get("exception")).contains("probe cannot apply this, ever");
        assertThat(effects(event)).as("the failed transaction rolled back").isZero();
    }

    @Test
    void poisonIsParkedAtOnceWhileGoodMessagesStillFlow() {
        String unparseable = UUID.randomUUID().toString();
        String schemaInvalid = UUID.randomUUID().toString();
        String unknownVersion = UUID.randomUUID().toString();
        Envelope<OrderCreated> good = ProbeMessages.orderCreated();
        byte[] valid = new EventCodec().toJson(good);
        String json = new String(valid, java.nio.charset.StandardCharsets.UTF_8);

        messages.publish(EventTypes.ORDER_CREATED, unparseable, ProbeMessages.utf8("{not json"));
        messages.publish(
                EventTypes.ORDER_CREATED,
                schemaInvalid,
                ProbeMessages.utf8(json.replace("\"total_cents\":250", "\"total_cents\":\"lots\"")));
        messages.publish(
                EventTypes.ORDER_CREATED,
                unknownVersion,
                ProbeMessages.utf8(json.replace("\"event_version\":1", "\"event_version\":99")));
        messages.publish(good);

        awaitEffects(good, 1);
        await().atMost(DEADLINE)
                .untilAsserted(() -> assertThat(reasonsOf(unparseable, schemaInvalid, unknownVersion))
                        .containsExactlyInAnyOrder("UNPARSEABLE", "SCHEMA_INVALID", "UNKNOWN_VERSION"));
    }

    @Test
    void eventOfATypeWithoutHandlerIsParked() {
        UUID orderId = UUID.randomUUID();
        Envelope<InventoryRejected> event = Envelope.of(
                new InventoryRejected(orderId, "no stock", List.of(new Shortage("SKU-1", 2, 0))),
                "order-worker",
                orderId.toString(),
                Clock.systemUTC());

        messages.publishToWorkQueue(event.eventType(), event.eventId().toString(), new EventCodec().toJson(event));

        Map<String, Object> row = awaitParked(event);
        assertThat(row.get("reason")).isEqualTo("UNHANDLED_EVENT_TYPE");
    }

    @Test
    void connectionDroppedBetweenCommitAndAckCausesNoSecondEffect() {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        probe.script(event.correlationId(), new Script.DropConnectionAfterCommit());
        double duplicatesBefore = counter(EventTypes.ORDER_CREATED, "duplicate");

        messages.publish(event);

        await().atMost(DEADLINE).until(() -> counter(EventTypes.ORDER_CREATED, "duplicate") >= duplicatesBefore + 1);
        awaitWorkQueueEmpty();
        assertThat(effects(event)).isEqualTo(1);
    }

    @Test
    void deliveriesWaitingTogetherShareOneTransactionAndOneAck() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);
        double batchesBefore = batches();

        awaitEach(batch, 1);
        awaitWorkQueueEmpty();
        assertThat(transactions(batch))
                .as("20 deliveries queued together commit in a few transactions, not one each")
                .isLessThanOrEqualTo(10);
        assertThat(batches()).isGreaterThan(batchesBefore);
        assertThat(attempts(batch))
                .as("each applied once, on its first delivery")
                .hasSize(20)
                .containsOnly(1);
    }

    @Test
    void aBatchWritesItsDeferredRowsInOneStatementInDeliveryOrder() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);

        awaitEach(batch, 1);
        awaitWorkQueueEmpty();

        List<UUID> published = batch.stream().map(Envelope::eventId).toList();
        List<List<UUID>> statements = jdbc.sql(
                        "SELECT event_ids FROM probe_insert_statements WHERE event_ids && ?" + " ORDER BY id")
                .param(published.toArray(UUID[]::new))
                .query((rs, n) -> List.of((UUID[]) rs.getArray(1).getArray()))
                .list();
        assertThat(statements)
                .as("one insert statement per transaction, however many deliveries it applied")
                .hasSize((int) transactions(batch));
        assertThat(statements).hasSizeLessThan(20);
        for (List<UUID> statement : statements) {
            assertThat(statement)
                    .as("a statement's rows in the order their deliveries came")
                    .isSortedAccordingTo(java.util.Comparator.comparingInt(published::indexOf));
        }
        assertThat(statements.stream().mapToInt(List::size).sum()).isEqualTo(20);
    }

    @Test
    void aHandlersOwnInnerTransactionInABatchWritesItsRowsItselfNotIntoTheBatch() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);
        Envelope<OrderCreated> inner = batch.get(5);
        probe.script(inner.correlationId(), new Script.InnerTransactionThenFail());

        container.start();

        awaitParked(inner);
        awaitEach(batch.stream().filter(event -> event != inner).toList(), 1);
        assertThat(jdbc.sql("SELECT count(*) FROM probe_effects WHERE order_id = ?")
                        .param(inner.correlationId() + "/inner")
                        .query(Long.class)
                        .single())
                .as("one row per attempt, each committed by its own inner transaction: in the batch (rolled back"
                        + " after it) and alone; deferred into the batch, the first would have gone with it")
                .isEqualTo(2);
        awaitWorkQueueEmpty();
    }

    @Test
    void onePoisonAndOneTransientFailureInABatchTakeNoNeighbourWithThem() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);
        Envelope<OrderCreated> poison = batch.get(7);
        Envelope<OrderCreated> flaky = batch.get(13);
        probe.script(poison.correlationId(), new Script.FailPermanently());
        probe.script(flaky.correlationId(), new Script.FailTransiently(1));
        double fallbacksBefore = fallbacks();

        container.start();

        Map<String, Object> parked = awaitParked(poison);
        assertThat(parked.get("reason")).isEqualTo("PERMANENT_FAILURE");
        assertThat(parked.get("attempts"))
                .as("parked at once, as it would have been alone")
                .isEqualTo(1);
        List<Envelope<OrderCreated>> good =
                batch.stream().filter(event -> event != poison).toList();
        awaitEach(good, 1);
        assertThat(effects(poison)).as("its transaction rolled back").isZero();
        assertThat(jdbc.sql("SELECT attempt FROM probe_effects WHERE event_id = ?")
                        .param(flaky.eventId())
                        .query(Integer.class)
                        .single())
                .as("retried through the first tier, as it would have been alone")
                .isEqualTo(2);
        assertThat(attempts(good.stream().filter(event -> event != flaky).toList()))
                .as("every neighbour applied once, on its first delivery")
                .hasSize(18)
                .containsOnly(1);
        assertThat(fallbacks()).isGreaterThan(fallbacksBefore);
        awaitWorkQueueEmpty();
    }

    @Test
    void theSameEventTwiceInOneBatchIsAppliedOnce() {
        Envelope<OrderCreated> twice = ProbeMessages.orderCreated();
        Envelope<OrderCreated> thrice = ProbeMessages.orderCreated();
        Envelope<OrderCreated> once = ProbeMessages.orderCreated();
        double duplicatesBefore = counter(EventTypes.ORDER_CREATED, "duplicate");
        container.stop();
        for (Envelope<OrderCreated> event : List.of(twice, thrice, once, thrice, twice, thrice)) {
            messages.publish(event);
        }

        container.start();

        awaitEach(List.of(twice, thrice, once), 1);
        await().atMost(DEADLINE).until(() -> counter(EventTypes.ORDER_CREATED, "duplicate") >= duplicatesBefore + 3);
        awaitWorkQueueEmpty();
        assertThat(effects(twice) + effects(thrice) + effects(once)).isEqualTo(3);
    }

    /**
     * The consuming connection dies in the middle of a batch's transaction, which commits: no ack can follow, and
     * every delivery of the batch comes back, each a duplicate now.
     */
    @Test
    void connectionLostInTheMiddleOfABatchAppliesEachEventOnce() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);
        probe.script(batch.get(9).correlationId(), new Script.DropConnectionBeforeCommit());
        double duplicatesBefore = counter(EventTypes.ORDER_CREATED, "duplicate");

        container.start();

        awaitEach(batch, 1);
        await("the redelivered batch recognised")
                .atMost(DEADLINE)
                .until(() -> counter(EventTypes.ORDER_CREATED, "duplicate") > duplicatesBefore);
        awaitWorkQueueEmpty();
        assertThat(batch.stream().map(this::effects)).containsOnly(1L);
    }

    /**
     * A crash in the middle of a batch: both connections die before the commit, so nothing of the batch is committed
     * or acknowledged; every delivery comes back and is applied once.
     */
    @Test
    void crashInTheMiddleOfABatchLosesNothingAndAppliesEachEventOnce() {
        List<Envelope<OrderCreated>> batch = whileStopped(20);
        Envelope<OrderCreated> crashing = batch.get(9);
        probe.script(crashing.correlationId(), new Script.Crash());
        double redeliveredBefore = redelivered();

        container.start();

        awaitEach(batch, 1);
        awaitWorkQueueEmpty();
        assertThat(redelivered()).as("the crashed batch came back").isGreaterThan(redeliveredBefore);
        assertThat(batch.stream().map(this::effects)).containsOnly(1L);
        assertThat(attempts(List.of(crashing)))
                .as("a crash is no failed attempt: applied on its redelivery as attempt 1")
                .containsExactly(1);
        assertThat(parked(crashing)).isEmpty();
    }

    /** Stops the consumers and publishes {@code count} events, which wait in the work queue; returns them. */
    private List<Envelope<OrderCreated>> whileStopped(int count) {
        container.stop();
        List<Envelope<OrderCreated>> events = IntStream.range(0, count)
                .mapToObj(i -> ProbeMessages.orderCreated())
                .toList();
        events.forEach(messages::publish);
        await().atMost(DEADLINE).until(() -> admin.getQueueInfo("probe.work").getMessageCount() == count);
        return events;
    }

    private void awaitEach(List<? extends Envelope<?>> events, long expected) {
        if (!container.isRunning()) {
            container.start();
        }
        events.forEach(event -> awaitEffects(event, expected));
    }

    private long transactions(List<? extends Envelope<?>> events) {
        return jdbc.sql("SELECT count(DISTINCT xmin::text) FROM probe_effects WHERE event_id = ANY (?)")
                .param(events.stream().map(Envelope::eventId).toArray(UUID[]::new))
                .query(Long.class)
                .single();
    }

    private List<Integer> attempts(List<? extends Envelope<?>> events) {
        return jdbc.sql("SELECT attempt FROM probe_effects WHERE event_id = ANY (?)")
                .param(events.stream().map(Envelope::eventId).toArray(UUID[]::new))
                .query(Integer.class)
                .list();
    }

    private double batches() {
        var summary = meters.find("orderly.consumer.batch.size")
                .tag("consumer", "probe")
                .summary();
        return summary == null ? 0 : summary.count();
    }

    private double redelivered() {
        var redelivered = meters.find("orderly.consumer.redelivered")
                .tag("consumer", "probe")
                .counter();
        return redelivered == null ? 0 : redelivered.count();
    }

    private double fallbacks() {
        var fallbacks = meters.find("orderly.consumer.batch.fallbacks")
                .tag("consumer", "probe")
                .counter();
        return fallbacks == null ? 0 : fallbacks.count();
    }

    /**
     * A restarting broker refuses logins for a moment (./orderly up sets the users' passwords after the node boots):
     * that must not stop a container for good, as Spring AMQP does by default, leaving a worker that looks healthy and
     * consumes nothing. Found by the RabbitMQ-restart failure drill (system-tests).
     */
    @Test
    void readinessFollowsTheWorkQueueListener() {
        await().atMost(DEADLINE).until(() -> listenerHealth.health().getStatus() == Status.UP);
        assertThat(listenerHealth.health().getDetails())
                .containsEntry("queue", "probe.work")
                .containsEntry("running", true)
                .containsEntry("consumers", 2);

        container.stop();
        Health stopped = listenerHealth.health();
        assertThat(stopped.getStatus()).isEqualTo(Status.DOWN);
        assertThat(stopped.getDetails()).containsEntry("running", false).containsKey("reason");

        container.start();
        await().atMost(DEADLINE).until(() -> listenerHealth.health().getStatus() == Status.UP);
    }

    @Test
    void containersKeepRetryingWhenTheBrokerRefusesTheLogin() {
        assertThat(container.isPossibleAuthenticationFailureFatal()).isFalse();
        assertThat(parkingLotContainer.isPossibleAuthenticationFailureFatal()).isFalse();
    }

    @Test
    void shutdownWaitsForTheInFlightDeliveryToFinishAndAck() throws Exception {
        Envelope<OrderCreated> event = ProbeMessages.orderCreated();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        probe.script(event.correlationId(), new Script.Block(entered, release));

        messages.publish(event);
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(container::stop);
        // Released only once the container is shutting down, so the ack happens during shutdown.
        await().atMost(DEADLINE).until(() -> !container.isActive());
        release.countDown();
        stopping.get(30, TimeUnit.SECONDS);

        assertThat(effects(event)).isEqualTo(1);
        assertThat(admin.getQueueInfo("probe.work").getMessageCount())
                .as("acked before the channel closed, so nothing returned to the queue")
                .isZero();
        container.start();
    }

    private double counter(String eventType, String outcome) {
        var counter = meters.find("orderly.consumer.messages")
                .tag("consumer", "probe")
                .tag("event_type", eventType)
                .tag("outcome", outcome)
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

    private void awaitWorkQueueEmpty() {
        await().atMost(DEADLINE).until(() -> admin.getQueueInfo("probe.work").getMessageCount() == 0);
    }

    private List<Map<String, Object>> parked(Envelope<?> event) {
        return jdbc.sql("SELECT reason, attempts, exception, original_routing_key, headers::text AS headers "
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

    private List<String> reasonsOf(String... messageIds) {
        return jdbc.sql("SELECT reason FROM parked_messages WHERE message_id = ANY (?)")
                .param(messageIds)
                .query(String.class)
                .list();
    }
}
