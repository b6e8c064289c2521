package dev.orderly.messaging.parking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.http.HttpHeaders.AUTHORIZATION;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.EventTypes;
import dev.orderly.contracts.MessageHeaders;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.contracts.Topology;
import dev.orderly.messaging.consumer.ProbeApplication;
import dev.orderly.messaging.consumer.Republisher;
import dev.orderly.testsupport.RealInfrastructure;
import dev.orderly.testsupport.TestMessageKeys;
import dev.orderly.testsupport.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.WebApplicationContext;

/**
 * Parked messages are recorded without loss, can be listed and inspected, replayed once back to the work queue, and
 * purged only with confirmation; every replay and purge is audited. Over HTTP (Spring MVC behind common-security's
 * filter chain, real RS256 tokens from {@link TestTokens}), each operation needs its scope, a refused one changes
 * nothing, and the audit names the token's subject, never an actor the request names.
 */
@SpringBootTest(classes = ProbeApplication.class)
@RealInfrastructure
class ParkingLotIntegrationTests {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ParkedMessages parked;

    @Autowired
    ParkingAudit parkingAudit;

    @Autowired
    ParkingLotOperations operations;

    @Autowired
    MeterRegistry meters;

    @Autowired
    Republisher republisher;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Autowired
    WebApplicationContext context;

    @Autowired
    FilterChainProxy security;

    TransactionTemplate transaction;

    MockMvc http;

    @BeforeEach
    void transactions() {
        transaction = new TransactionTemplate(transactionManager);
        // The real filter chain in front of the real endpoint: the token is decoded and verified as in a worker.
        http = MockMvcBuilders.webAppContextSetup(context).addFilters(security).build();
    }

    @Test
    void listingAndTheAuditNeedParkinglotRead() throws Exception {
        String replayAndPurge = TestTokens.forClient("ops-carol", "parkinglot:replay", "parkinglot:purge");
        String read = TestTokens.forClient("ops-carol", "parkinglot:read");

        http.perform(get("/actuator/parkinglot")).andExpect(status().isUnauthorized());
        http.perform(get("/actuator/parkinglot").header(AUTHORIZATION, "Bearer " + replayAndPurge))
                .andExpect(status().isForbidden())
                .andExpect(content().contentType("application/problem+json"))
                .andExpect(jsonPath("$.detail").value(containsString("parkinglot:read")));
        http.perform(get("/actuator/parkinglot/audit").header(AUTHORIZATION, "Bearer " + replayAndPurge))
                .andExpect(status().isForbidden());
        http.perform(get("/actuator/parkinglot").header(AUTHORIZATION, "Bearer " + read))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.messages").isArray());
        http.perform(get("/actuator/parkinglot/audit").header(AUTHORIZATION, "Bearer " + read))
                .andExpect(status().isOk());
    }

    @Test
    void purgeWithoutThePurgeScopeIs403AndDeletesNothing() throws Exception {
        Envelope<OrderCreated> event = event();
        park(event);
        long id = awaitRecorded(event);
        long parkedBefore = parkedRows();
        String everythingButPurge =
                TestTokens.forClient("ops-carol", "parkinglot:read", "parkinglot:replay", "actuator:read");

        http.perform(delete("/actuator/parkinglot")
                        .param("all", "true")
                        .param("confirm", Topology.parkingLot("probe"))
                        .header(AUTHORIZATION, "Bearer " + everythingButPurge))
                .andExpect(status().isForbidden())
                .andExpect(header().string("WWW-Authenticate", containsString("insufficient_scope")))
                .andExpect(jsonPath("$.detail").value(containsString("parkinglot:purge")));

        assertThat(parkedRows()).isEqualTo(parkedBefore);
        assertThat(parked.find(id)).isPresent();
        assertThat(audit("all")).noneMatch(row -> "PURGE".equals(row.get("action")));
    }

    @Test
    void replayWithoutTheReplayScopeIs403AndRepublishesNothing() throws Exception {
        Envelope<OrderCreated> event = event();
        park(event);
        long id = awaitRecorded(event);
        String everythingButReplay = TestTokens.forClient("ops-carol", "parkinglot:read", "parkinglot:purge");

        replay("{\"id\": " + id + "}", everythingButReplay)
                .andExpect(status().isForbidden())
                .andExpect(jsonPath("$.detail").value(containsString("parkinglot:replay")));

        // A replay republishes and deletes the row in one go, before it answers: the row is still there, so nothing
        // was republished, and no effect of the event was applied.
        assertThat(parked.find(id)).isPresent();
        assertThat(effects(event)).isZero();
        assertThat(audit("id=" + id)).isEmpty();
    }

    @Test
    void theAuditRecordsTheTokensSubjectAndARequestNamingAnotherActorIsRefused() throws Exception {
        Envelope<OrderCreated> event = event();
        park(event);
        long id = awaitRecorded(event);
        String carol = TestTokens.forClient("ops-carol", "parkinglot:replay", "parkinglot:purge");

        replay("{\"id\": " + id + ", \"actor\": \"alice\"}", carol)
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("'ops-carol'")));
        http.perform(delete("/actuator/parkinglot")
                        .param("id", Long.toString(id))
                        .param("confirm", Topology.parkingLot("probe"))
                        .param("actor", "alice")
                        .header(AUTHORIZATION, "Bearer " + carol))
                .andExpect(status().isBadRequest());
        assertThat(parked.find(id)).as("a refused request changes nothing").isPresent();
        assertThat(audit("id=" + id)).isEmpty();

        replay("{\"id\": " + id + "}", carol)
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.replayed").value(1));

        assertThat(jdbc.sql("SELECT actor FROM parking_audit WHERE selection = ?")
                        .param("id=" + id)
                        .query(String.class)
                        .list())
                .containsExactly("ops-carol");
        await().atMost(DEADLINE).until(() -> effects(event) == 1);
    }

    @Test
    void parkedMessageIsListedInspectedAndReplayedOnce() {
        Envelope<OrderCreated> event = event();
        // Parked as the runtime would have parked it (the probe has no failure scripted, so the replay succeeds).
        park(event);
        long id = awaitRecorded(event);

        ParkedMessages.Page page = parked.list(0, 500, EventTypes.ORDER_CREATED, "PERMANENT_FAILURE");
        assertThat(page.messages()).extracting(ParkedMessages.Summary::id).contains(id);
        ParkedMessages.Detail detail = parked.find(id).orElseThrow();
        assertThat(detail.bodyEncoding()).isEqualTo("utf-8");
        assertThat(detail.body()).contains(event.eventId().toString());
        assertThat(detail.headers()).containsEntry(MessageHeaders.FAILURE_REASON, "PERMANENT_FAILURE");

        ParkingLotOperations.Replayed replayed =
                operations.replay(new Selection(id, null, null, false), "test-operator");

        assertThat(replayed.replayed()).isEqualTo(1);
        await().atMost(DEADLINE).until(() -> effects(event) == 1);
        assertThat(parked.find(id)).isEmpty();
        assertThat(operations
                        .replay(new Selection(id, null, null, false), "test-operator")
                        .replayed())
                .as("a replayed message is gone from the parking lot")
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM parking_audit WHERE actor = 'test-operator' AND action = 'REPLAY' "
                                + "AND selection = ?")
                        .param("id=" + id)
                        .query(Long.class)
                        .single())
                .isEqualTo(2);
    }

    @Test
    void theGroupsCountParkedMessagesByReasonAndEventTypeWithTheOldestAndNewestAndNeedParkinglotRead()
            throws Exception {
        String reason = uniqueReason();
        Envelope<OrderCreated> first = event();
        Envelope<OrderCreated> second = event();
        park(first, reason);
        park(second, reason);
        long firstId = awaitRecorded(first);
        long secondId = awaitRecorded(second);

        ParkedMessages.Group group = assertThat(parked.groups().stream()
                        .filter(candidate -> candidate.reason().equals(reason))
                        .toList())
                .singleElement()
                .actual();
        assertThat(group.eventType()).isEqualTo(EventTypes.ORDER_CREATED);
        assertThat(group.count()).isEqualTo(2);
        assertThat(group.oldest())
                .isEqualTo(parked.find(firstId).orElseThrow().summary().parkedAt());
        assertThat(group.newest())
                .isEqualTo(parked.find(secondId).orElseThrow().summary().parkedAt());

        http.perform(get("/actuator/parkinglot/groups")
                        .header(AUTHORIZATION, "Bearer " + TestTokens.forClient("ops-carol", "parkinglot:replay")))
                .andExpect(status().isForbidden());
        http.perform(get("/actuator/parkinglot/groups")
                        .header(AUTHORIZATION, "Bearer " + TestTokens.forClient("ops-carol", "parkinglot:read")))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.groups[?(@.reason == '" + reason + "')].count")
                        .value(2));
    }

    @Test
    void purgeNeedsTheParkingLotNameAsConfirmation() {
        Envelope<OrderCreated> event = event();
        park(event);
        long id = awaitRecorded(event);
        Selection one = new Selection(id, null, null, false);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> operations.purge(one, "yes", "test-operator"))
                .withMessageContaining("confirm=" + Topology.parkingLot("probe"));
        assertThat(parked.find(id)).isPresent();

        assertThat(operations.purge(one, Topology.parkingLot("probe"), "test-operator"))
                .isEqualTo(1);
        assertThat(parked.find(id)).isEmpty();
        assertThat(effects(event)).isZero();
    }

    @Test
    void messageTheBrokerDeadLetteredIsRecordedWithItsReasonAndCountedAsParkedOnce() {
        Envelope<OrderCreated> event = event();
        double parkedBefore = parkedCount();
        // As the broker dead-letters a delivery past the work queue's delivery limit: its x-death headers, none of the
        // runtime's failure headers.
        Message deadLettered = message(event);
        deadLettered.getMessageProperties().setHeader("x-first-death-reason", "delivery_limit");
        deadLettered.getMessageProperties().setHeader("x-first-death-queue", Topology.workQueue("probe"));
        rabbit.send(Topology.DEAD_LETTER_EXCHANGE, "probe", deadLettered);
        long id = awaitRecorded(event);

        assertThat(parked.find(id).orElseThrow().summary().reason()).isEqualTo("DELIVERY_LIMIT");
        await().atMost(DEADLINE).until(() -> parkedCount() == parkedBefore + 1);

        // The same delivery seen again (e.g. redelivered before its ack) is neither recorded nor counted twice.
        rabbit.send(Topology.DEAD_LETTER_EXCHANGE, "probe", deadLettered);
        Envelope<OrderCreated> marker = event();
        park(marker);
        awaitRecorded(marker);
        assertThat(parkedCount())
                .as("the runtime's own parkings are counted by the runtime, not again by the recorder")
                .isEqualTo(parkedBefore + 1);
    }

    @Test
    void aReplayTheRateLimiterGivesNoPermitForStopsThrottledAndIsAudited() {
        String reason = uniqueReason();
        List<Envelope<OrderCreated>> events = List.of(event(), event(), event());
        events.forEach(event -> park(event, reason));
        events.forEach(this::awaitRecorded);
        // One permit a second, and a replay waits at most 100 ms for the next: the second message finds none.
        ParkingLotOperations slow = new ParkingLotOperations(
                "probe",
                parked,
                parkingAudit,
                republisher,
                transaction,
                1,
                Duration.ofMillis(100),
                1000,
                Clock.systemUTC());

        ParkingLotOperations.Replayed replayed = slow.replay(new Selection(null, null, reason, false), "test-operator");

        assertThat(replayed.outcome()).isEqualTo(ParkingLotOperations.Outcome.THROTTLED);
        assertThat(replayed.replayed()).isEqualTo(1);
        assertThat(replayed.remaining()).isEqualTo(2);
        assertThat(replayed.detail()).contains("replay-rate");
        assertThat(audit("reason=" + reason))
                .singleElement()
                .satisfies(row -> assertThat(row)
                        .containsEntry("action", "REPLAY")
                        .containsEntry("affected", 1)
                        .containsEntry("outcome", "THROTTLED"));
    }

    @Test
    void aReplayThatFailsPartWayKeepsWhatItReplayedLeavesTheRestParkedAndIsAudited() {
        String reason = uniqueReason();
        List<Envelope<OrderCreated>> events = List.of(event(), event(), event());
        events.forEach(event -> park(event, reason));
        List<Long> ids = events.stream().map(this::awaitRecorded).toList();
        // The second one can no longer be turned back into a message (its stored timestamp is garbage).
        jdbc.sql("UPDATE parked_messages SET properties = jsonb_set(properties, '{timestamp}', '\"not a time\"') "
                        + "WHERE id = ?")
                .param(ids.get(1))
                .update();

        ParkingLotOperations.Replayed replayed =
                operations.replay(new Selection(null, null, reason, false), "test-operator");

        assertThat(replayed.outcome()).isEqualTo(ParkingLotOperations.Outcome.FAILED);
        assertThat(replayed.replayed()).isEqualTo(1);
        assertThat(replayed.remaining()).isEqualTo(2);
        assertThat(replayed.detail()).contains("parked message " + ids.get(1));
        await().atMost(DEADLINE).until(() -> effects(events.get(0)) == 1);
        assertThat(parked.find(ids.get(0))).isEmpty();
        assertThat(parked.find(ids.get(1))).isPresent();
        assertThat(parked.find(ids.get(2))).isPresent();
        assertThat(effects(events.get(2))).isZero();
        assertThat(audit("reason=" + reason))
                .singleElement()
                .satisfies(row -> assertThat(row)
                        .containsEntry("affected", 1)
                        .containsEntry("outcome", "FAILED")
                        .hasEntrySatisfying(
                                "detail",
                                detail -> assertThat((String) detail).contains("parked message " + ids.get(1))));
    }

    @Test
    void emptySelectionIsRefusedAndAnIdOrAllStandsAlone() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Selection(null, null, null, false));
        assertThatIllegalArgumentException().isThrownBy(() -> new Selection(1L, null, "PERMANENT_FAILURE", false));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Selection(null, EventTypes.ORDER_CREATED, null, true));
        assertThat(new Selection(null, EventTypes.ORDER_CREATED, "PERMANENT_FAILURE", false).describe())
                .isEqualTo("eventType=order.created,reason=PERMANENT_FAILURE");
    }

    @Test
    void aGroupSelectionTakesOnlyTheMessagesOfThatEventTypeAndThatReason() {
        String reason = uniqueReason();
        String other = uniqueReason();
        Envelope<OrderCreated> inGroup = event();
        Envelope<OrderCreated> otherReason = event();
        park(inGroup, reason);
        park(otherReason, other);
        long inGroupId = awaitRecorded(inGroup);
        long otherId = awaitRecorded(otherReason);

        assertThat(operations.purge(
                        new Selection(null, EventTypes.PAYMENT_DECLINED, reason, false),
                        operations.parkingLotName(),
                        "t"))
                .as("another event type, the same reason: nothing")
                .isZero();
        assertThat(operations.purge(
                        new Selection(null, EventTypes.ORDER_CREATED, reason, false), operations.parkingLotName(), "t"))
                .isEqualTo(1);

        assertThat(parked.find(inGroupId)).isEmpty();
        assertThat(parked.find(otherId))
                .as("the same event type, another reason: kept")
                .isPresent();
    }

    private static Envelope<OrderCreated> event() {
        UUID orderId = UUID.randomUUID();
        return Envelope.of(
                new OrderCreated(orderId, "c-1", "EUR", 100, List.of(new OrderLine("SKU-1", 1, 100))),
                "order-api",
                orderId.toString(),
                Clock.systemUTC());
    }

    private double parkedCount() {
        Counter counter = meters.find("orderly.consumer.messages")
                .tag("consumer", "probe")
                .tag("event_type", EventTypes.ORDER_CREATED)
                .tag("outcome", "parked")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private void park(Envelope<?> event) {
        park(event, "PERMANENT_FAILURE");
    }

    private void park(Envelope<?> event, String reason) {
        Message message = message(event);
        MessageProperties props = message.getMessageProperties();
        props.setTimestamp(java.util.Date.from(Clock.systemUTC().instant()));
        props.setHeader(MessageHeaders.FAILURE_REASON, reason);
        props.setHeader(MessageHeaders.EXCEPTION, "java.lang.IllegalStateException: the handler had a bug");
        props.setHeader(MessageHeaders.ATTEMPTS, 1);
        props.setHeader(MessageHeaders.ORIGINAL_ROUTING_KEY, event.eventType());
        props.setHeader(MessageHeaders.PARKED_AT, Clock.systemUTC().instant().toString());
        rabbit.send(Topology.DEAD_LETTER_EXCHANGE, "probe", message);
    }

    private static Message message(Envelope<?> event) {
        MessageProperties props = new MessageProperties();
        props.setMessageId(event.eventId().toString());
        props.setType(event.eventType());
        props.setContentType(MessageHeaders.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setHeader(MessageHeaders.EVENT_VERSION, 1);
        props.setHeader(MessageHeaders.PRODUCER, event.producer());
        // Signed as its producer signed it: parked and replayed, it keeps verifying.
        return TestMessageKeys.sign(new Message(new EventCodec().toJson(event), props));
    }

    private long awaitRecorded(Envelope<?> event) {
        return await().atMost(DEADLINE)
                .until(
                        () -> jdbc.sql("SELECT id FROM parked_messages WHERE message_id = ?")
                                .param(event.eventId().toString())
                                .query(Long.class)
                                .list(),
                        ids -> ids.size() == 1)
                .get(0);
    }

    /** A reason no other test parks with, so a selection by it is this test's messages only. */
    private static String uniqueReason() {
        return "TEST_" + UUID.randomUUID().toString().replace("-", "").toUpperCase(java.util.Locale.ROOT);
    }

    private List<java.util.Map<String, Object>> audit(String selection) {
        return jdbc.sql("SELECT action, affected, outcome, detail FROM parking_audit WHERE selection = ? ORDER BY id")
                .param(selection)
                .query()
                .listOfRows();
    }

    /** {@code POST /actuator/parkinglot} with this JSON body and token. */
    private ResultActions replay(String body, String token) throws Exception {
        return http.perform(post("/actuator/parkinglot")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body)
                .header(AUTHORIZATION, "Bearer " + token));
    }

    private long parkedRows() {
        return jdbc.sql("SELECT count(*) FROM parked_messages")
                .query(Long.class)
                .single();
    }

    private long effects(Envelope<?> event) {
        return jdbc.sql("SELECT count(*) FROM probe_effects WHERE event_id = ?")
                .param(event.eventId())
                .query(Long.class)
                .single();
    }
}
