package dev.orderly.relay.publishing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.orderly.relay.outbox.OutboxRow;
import dev.orderly.relay.routes.RouteGuard;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.AmqpConnectException;
import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.connection.CorrelationData.Confirm;
import org.springframework.amqp.rabbit.core.RabbitOperations;
import org.springframework.amqp.rabbit.core.RabbitOperations.OperationsCallback;

/**
 * The confirm rules, against a scripted broker: only the longest prefix of acked-and-not-returned messages counts as
 * published, whatever goes wrong after it, and never more than max-in-flight messages wait for a confirm.
 */
class ConfirmedPublisherTests {

    enum Outcome {
        ACK,
        NACK,
        RETURN,
        SILENT,
        THROW
    }

    final RabbitOperations rabbit = mock(RabbitOperations.class);
    final Map<Long, Outcome> script = new HashMap<>();
    final List<Long> sent = new ArrayList<>();
    final Timer latency = Timer.builder("test").register(new SimpleMeterRegistry());
    final ScheduledExecutorService broker = Executors.newSingleThreadScheduledExecutor();

    ConfirmedPublisherTests() {
        when(rabbit.invoke(any())).thenAnswer(invocation -> {
            OperationsCallback<?> callback = invocation.getArgument(0);
            return callback.doInRabbit(rabbit);
        });
        doAnswer(invocation -> {
                    Message message = invocation.getArgument(2);
                    CorrelationData correlation = invocation.getArgument(3);
                    long id = Long.parseLong(correlation.getId());
                    sent.add(id);
                    switch (script.getOrDefault(id, Outcome.ACK)) {
                        case ACK -> correlation.getFuture().complete(new Confirm(true, null));
                        case NACK -> correlation.getFuture().complete(new Confirm(false, "reject-publish"));
                        case RETURN -> {
                            correlation.setReturned(
                                    new ReturnedMessage(message, 312, "NO_ROUTE", "orders.events", "test.key"));
                            correlation.getFuture().complete(new Confirm(true, null));
                        }
                        case SILENT -> {}
                        case THROW -> throw new AmqpIOException(new java.io.IOException("connection reset"));
                    }
                    return null;
                })
                .when(rabbit)
                .send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));
    }

    @AfterEach
    void stopBroker() {
        broker.shutdownNow();
    }

    @Test
    void aBatchAckedWithoutReturnsIsConfirmedWhole() {
        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(5), () -> true);

        assertThat(result.confirmed()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(result.failure()).isNull();
        assertThat(latency.count()).isEqualTo(5);
    }

    @Test
    void onlyTheRowsBeforeANackAreConfirmedAndNothingAfterItIsSent() {
        script.put(3L, Outcome.NACK);

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(6), () -> true);

        assertThat(result.confirmed()).containsExactly(1L, 2L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(3);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.NACK);
            assertThat(failure.detail()).contains("reject-publish");
            assertThat(failure.rowAttempted()).isTrue();
            assertThat(failure.brokerFault()).isTrue();
        });
        assertThat(sent).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anAckWithAReturnIsAFailureNotASuccess() {
        script.put(2L, Outcome.RETURN);

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(3), () -> true);

        assertThat(result.confirmed()).containsExactly(1L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(2);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.RETURNED);
            assertThat(failure.detail()).contains("312 NO_ROUTE").contains("test.key");
            assertThat(failure.brokerFault()).isFalse();
        });
        assertThat(latency.count()).isEqualTo(1);
    }

    @Test
    void aConfirmThatNeverComesTimesOutAndStopsThePrefix() {
        script.put(2L, Outcome.SILENT);

        Result result = run(publisher(10, Duration.ofMillis(200)), rows(4), () -> true);

        assertThat(result.confirmed()).containsExactly(1L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(2);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.TIMEOUT);
            assertThat(failure.detail()).contains("PT0.2S");
        });
    }

    @Test
    void aPublishThatThrowsStopsTheBatchAfterTheConfirmedRows() {
        script.put(3L, Outcome.THROW);

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(5), () -> true);

        assertThat(result.confirmed()).containsExactly(1L, 2L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(3);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.ERROR);
            assertThat(failure.detail()).contains("connection reset");
            assertThat(failure.rowAttempted()).isTrue();
        });
        assertThat(sent).containsExactly(1L, 2L, 3L);
    }

    @Test
    void anEarlierNackWinsOverALaterSendError() {
        doAnswer(invocation -> {
                    CorrelationData correlation = invocation.getArgument(3);
                    long id = Long.parseLong(correlation.getId());
                    sent.add(id);
                    if (id == 2) {
                        broker.schedule(
                                () -> correlation.getFuture().complete(new Confirm(false, "channel closed")),
                                50,
                                TimeUnit.MILLISECONDS);
                    } else if (id == 3) {
                        throw new AmqpIOException(new java.io.IOException("channel is already closed"));
                    } else {
                        correlation.getFuture().complete(new Confirm(true, null));
                    }
                    return null;
                })
                .when(rabbit)
                .send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(4), () -> true);

        assertThat(result.confirmed()).containsExactly(1L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(2);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.NACK);
        });
    }

    @Test
    void withoutAChannelNothingIsSentAndTheRowIsNotBlamed() {
        doThrow(new AmqpConnectException(new java.net.ConnectException("refused")))
                .when(rabbit)
                .invoke(any());

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(3), () -> true);

        assertThat(result.confirmed()).isEmpty();
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(1);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.ERROR);
            assertThat(failure.rowAttempted()).isFalse();
            assertThat(failure.brokerFault()).isTrue();
            assertThat(failure.detail()).contains("refused");
        });
    }

    @Test
    void neverMoreThanMaxInFlightMessagesAwaitAConfirm() {
        AtomicInteger unconfirmed = new AtomicInteger();
        AtomicInteger mostUnconfirmed = new AtomicInteger();
        doAnswer(invocation -> {
                    CorrelationData correlation = invocation.getArgument(3);
                    mostUnconfirmed.accumulateAndGet(unconfirmed.incrementAndGet(), Math::max);
                    broker.schedule(
                            () -> {
                                unconfirmed.decrementAndGet();
                                correlation.getFuture().complete(new Confirm(true, null));
                            },
                            2,
                            TimeUnit.MILLISECONDS);
                    return null;
                })
                .when(rabbit)
                .send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));

        Result result = run(publisher(3, Duration.ofSeconds(1)), rows(30), () -> true);

        assertThat(result.confirmed()).hasSize(30);
        assertThat(mostUnconfirmed.get()).isBetween(2, 3);
    }

    @Test
    void onShutdownItStopsSendingButStillSettlesWhatWasSent() {
        AtomicInteger asked = new AtomicInteger();

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows(5), () -> asked.incrementAndGet() <= 2);

        assertThat(result.confirmed()).containsExactly(1L, 2L);
        assertThat(result.failure()).isNull();
        verify(rabbit, times(2)).send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));
    }

    @Test
    void aRowWhoseHeadersAreNotAnObjectIsReportedAndNotSent() {
        List<OutboxRow> rows = new ArrayList<>(rows(1));
        rows.add(row(2, "[\"not\", \"an object\"]"));

        Result result = run(publisher(10, Duration.ofSeconds(1)), rows, () -> true);

        assertThat(result.confirmed()).containsExactly(1L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(2);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.ERROR);
            assertThat(failure.rowAttempted()).isTrue();
            assertThat(failure.brokerFault()).isFalse();
            assertThat(failure.detail()).contains("headers");
        });
        assertThat(sent).containsExactly(1L);
    }

    @Test
    void laterBatchesGoOutOnTheSameChannelAndTheNextIsReadWhileConfirmsAreOutstanding() {
        AtomicInteger unconfirmed = new AtomicInteger();
        ackAfter(Duration.ofMillis(20), unconfirmed, Set.of());
        Batches batches = new Batches(List.of(rows(4, 6), rows(7, 8)));
        batches.unconfirmed = unconfirmed::get;

        ConfirmedPublisher.RunResult result =
                publisher(10, Duration.ofSeconds(1)).publish(rows(1, 3), batches, latency);

        assertThat(result.failure()).isNull();
        assertThat(batches.confirmed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(batches.unconfirmedWhenAskedForMore.getFirst()).isPositive();
        verify(rabbit, times(1)).invoke(any());
    }

    @Test
    void withoutALingerEachConfirmIsHandedOverAsItArrives() {
        ackStaggered(Duration.ofMillis(10));
        Batches batches = new Batches(List.of(rows(4, 6), rows(7, 8)));

        publisher(10, Duration.ofSeconds(1), Duration.ZERO).publish(rows(1, 3), batches, latency);

        assertThat(batches.confirmed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(batches.handOvers).hasSizeGreaterThan(1);
    }

    @Test
    void withALingerTheConfirmsOfARunAreHandedOverTogether() {
        ackStaggered(Duration.ofMillis(10));
        Batches batches = new Batches(List.of(rows(4, 6), rows(7, 8)));

        ConfirmedPublisher.RunResult result =
                publisher(10, Duration.ofSeconds(1), Duration.ofSeconds(10)).publish(rows(1, 3), batches, latency);

        assertThat(result.failure()).isNull();
        assertThat(batches.confirmed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(batches.handOvers).as("one mark, when the run ended").containsExactly(8);
    }

    @Test
    void withALingerMaxInFlightConfirmedRowsAreHandedOverWithoutWaitingForIt() {
        AtomicInteger unconfirmed = new AtomicInteger();
        ackAfter(Duration.ofMillis(5), unconfirmed, Set.of());
        Table table = new Table(40, 4);

        ConfirmedPublisher.RunResult result =
                publisher(4, Duration.ofSeconds(1), Duration.ofSeconds(10)).publish(table.next(0), table, latency);

        assertThat(result.failure()).isNull();
        assertThat(table.confirmed).isEqualTo(ids(rows(1, 40)));
        assertThat(table.handOvers).hasSizeGreaterThan(1);
        assertThat(table.handOvers.subList(0, table.handOvers.size() - 1))
                .allSatisfy(rows -> assertThat(rows).isGreaterThanOrEqualTo(4));
    }

    @Test
    void withALingerTheRowsConfirmedBeforeAFailureAreStillHandedOver() {
        AtomicInteger unconfirmed = new AtomicInteger();
        ackAfter(Duration.ofMillis(30), unconfirmed, Set.of(3L));
        Batches batches = new Batches(List.of(rows(4, 5)));

        ConfirmedPublisher.RunResult result =
                publisher(10, Duration.ofSeconds(1), Duration.ofSeconds(10)).publish(rows(1, 3), batches, latency);

        assertThat(batches.confirmed).containsExactly(1L, 2L);
        assertThat(result.confirmed()).isEqualTo(2);
        assertThat(result.failure())
                .satisfies(failure -> assertThat(failure.row().id()).isEqualTo(3));
    }

    @Test
    void nothingAfterAFailureCountsEvenRowsOfLaterBatchesTheBrokerAcked() {
        AtomicInteger unconfirmed = new AtomicInteger();
        ackAfter(Duration.ofMillis(30), unconfirmed, Set.of(2L));
        Batches batches = new Batches(List.of(rows(4, 5)));

        ConfirmedPublisher.RunResult result =
                publisher(10, Duration.ofSeconds(1)).publish(rows(1, 3), batches, latency);

        assertThat(batches.confirmed).containsExactly(1L);
        assertThat(result.confirmed()).isEqualTo(1);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(2);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.NACK);
        });
        assertThat(sent).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aRunNeverReadsPastARowItDidNotSendWhenTheGateFlipsBackMidBatch() {
        // The table holds rows 1..12; the run starts with 1..6. keepSending() answers false once, when row 3 is about
        // to go out (the broker blocked the connection), and true again right after (unblocked). A run that then asked
        // for the rows after 6 would send 7..12 before 3..6: later rows confirmed and marked first.
        AtomicInteger asked = new AtomicInteger();
        Table table = new Table(12, 6);
        table.keepSending = () -> asked.incrementAndGet() != 3;

        ConfirmedPublisher.RunResult result =
                publisher(10, Duration.ofSeconds(1)).publish(table.next(0), table, latency);

        assertThat(result.failure()).isNull();
        assertThat(table.askedAfter).allSatisfy(lastId -> assertThat(sent).contains(lastId));
        assertThat(sent).isSortedAccordingTo(Long::compare);
        assertThat(table.confirmed)
                .as("confirmed rows are a gapless prefix of the table")
                .isEqualTo(ids(rows(1, table.confirmed.size())));
    }

    @Test
    void aRowWhoseRouteIsMissingIsNotSentAndHoldsBackTheRowsAfterIt() {
        List<OutboxRow> rows = new ArrayList<>(rows(2));
        rows.add(new OutboxRow(
                3,
                UUID.randomUUID(),
                "payment.authorized",
                "payment.authorized",
                "aggregate-1",
                "{}",
                "{\"event_version\": 1}",
                Instant.parse("2026-03-27T16:00:00Z"),
                0));
        rows.addAll(rows(4, 5));
        RouteGuard shippingMissing =
                eventType -> eventType.equals("payment.authorized") ? "no binding routes it to [shipping.work]" : null;
        ConfirmedPublisher publisher = new ConfirmedPublisher(
                rabbit, "orders.events", 10, Duration.ofSeconds(1), Duration.ZERO, shippingMissing);
        Batches batches = new Batches(List.of());

        ConfirmedPublisher.RunResult result = publisher.publish(rows, batches, latency);

        assertThat(batches.confirmed).containsExactly(1L, 2L);
        assertThat(sent).containsExactly(1L, 2L);
        assertThat(result.failure()).satisfies(failure -> {
            assertThat(failure.row().id()).isEqualTo(3);
            assertThat(failure.reason()).isEqualTo(PublishFailure.Reason.MISSING_ROUTE);
            assertThat(failure.detail()).contains("shipping.work");
            assertThat(failure.rowAttempted()).isFalse();
            assertThat(failure.brokerFault()).isFalse();
        });
    }

    /** The broker confirms each message after {@code delay}: an ack, or a nack for the ids in {@code nacked}. */
    private void ackAfter(Duration delay, AtomicInteger unconfirmed, Set<Long> nacked) {
        doAnswer(invocation -> {
                    CorrelationData correlation = invocation.getArgument(3);
                    long id = Long.parseLong(correlation.getId());
                    sent.add(id);
                    unconfirmed.incrementAndGet();
                    broker.schedule(
                            () -> {
                                unconfirmed.decrementAndGet();
                                correlation.getFuture().complete(new Confirm(!nacked.contains(id), null));
                            },
                            delay.toMillis(),
                            TimeUnit.MILLISECONDS);
                    return null;
                })
                .when(rabbit)
                .send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));
    }

    /** Acks row n about n steps after it was sent: the confirms of a run arrive one by one. */
    private void ackStaggered(Duration step) {
        doAnswer(invocation -> {
                    CorrelationData correlation = invocation.getArgument(3);
                    long id = Long.parseLong(correlation.getId());
                    sent.add(id);
                    broker.schedule(
                            () -> correlation.getFuture().complete(new Confirm(true, null)),
                            id * step.toMillis(),
                            TimeUnit.MILLISECONDS);
                    return null;
                })
                .when(rabbit)
                .send(anyString(), anyString(), any(Message.class), any(CorrelationData.class));
    }

    /** What a run handed over as confirmed, and how it ended. */
    record Result(List<Long> confirmed, PublishFailure failure) {}

    /** A stream with the given further batches, recording what it is told was confirmed. */
    static class Batches implements ConfirmedPublisher.RowStream {

        final ArrayDeque<List<OutboxRow>> more;
        final List<Long> confirmed = new ArrayList<>();
        /** How many rows each {@link #confirmed} call handed over. */
        final List<Integer> handOvers = new ArrayList<>();

        final List<Integer> unconfirmedWhenAskedForMore = new ArrayList<>();
        IntSupplier unconfirmed = () -> 0;
        BooleanSupplier keepSending = () -> true;
        private final Semaphore confirms = new Semaphore(0);

        Batches(List<List<OutboxRow>> more) {
            this.more = new ArrayDeque<>(more);
        }

        @Override
        public boolean keepSending() {
            return keepSending.getAsBoolean();
        }

        @Override
        public void awaitActivity(long deadline) {
            try {
                confirms.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                confirms.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void confirmArrived() {
            confirms.release();
        }

        @Override
        public List<OutboxRow> next(long lastId) {
            unconfirmedWhenAskedForMore.add(unconfirmed.getAsInt());
            return more.isEmpty() ? List.of() : more.removeFirst();
        }

        @Override
        public void confirmed(List<OutboxRow> rows) {
            handOvers.add(rows.size());
            rows.forEach(row -> confirmed.add(row.id()));
        }
    }

    /** A table of rows 1..size read {@code batch} at a time after the id it is asked for, like the drainer does. */
    static final class Table extends Batches {

        final long size;
        final int batch;
        final List<Long> askedAfter = new ArrayList<>();

        Table(long size, int batch) {
            super(List.of());
            this.size = size;
            this.batch = batch;
        }

        @Override
        public List<OutboxRow> next(long lastId) {
            if (lastId > 0) {
                askedAfter.add(lastId);
            }
            return lastId >= size ? List.of() : rows(lastId + 1, Math.min(size, lastId + batch));
        }
    }

    Result run(ConfirmedPublisher publisher, List<OutboxRow> rows, BooleanSupplier keepSending) {
        Batches batches = new Batches(List.of());
        batches.keepSending = keepSending;
        ConfirmedPublisher.RunResult result = publisher.publish(rows, batches, latency);
        assertThat(result.confirmed()).isEqualTo(batches.confirmed.size());
        return new Result(batches.confirmed, result.failure());
    }

    private ConfirmedPublisher publisher(int maxInFlight, Duration confirmTimeout) {
        return publisher(maxInFlight, confirmTimeout, Duration.ZERO);
    }

    private ConfirmedPublisher publisher(int maxInFlight, Duration confirmTimeout, Duration markLinger) {
        return new ConfirmedPublisher(
                rabbit, "orders.events", maxInFlight, confirmTimeout, markLinger, RouteGuard.NONE);
    }

    static List<OutboxRow> rows(int count) {
        return rows(1, count);
    }

    static List<OutboxRow> rows(long from, long to) {
        List<OutboxRow> rows = new ArrayList<>();
        for (long id = from; id <= to; id++) {
            rows.add(row(id, "{\"event_version\": 1}"));
        }
        return rows;
    }

    static OutboxRow row(long id, String headers) {
        return new OutboxRow(
                id,
                UUID.randomUUID(),
                "test.event",
                "test.key",
                "aggregate-1",
                "{\"seq\":" + id + "}",
                headers,
                Instant.parse("2026-03-27T16:00:00Z"),
                0);
    }

    static List<Long> ids(List<OutboxRow> rows) {
        return rows.stream().map(OutboxRow::id).toList();
    }
}
