package dev.orderly.messaging.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.orderly.messaging.consumer.TransientFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link CallsAhead} inside a transaction's synchronization, as a batch's transaction has one (Spring's own
 * synchronization, opened here and completed as the transaction manager completes it), and outside one.
 */
class CallsAheadTests {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @AfterEach
    void endTheTransaction() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            List<TransactionSynchronization> synchronizations = TransactionSynchronizationManager.getSynchronizations();
            TransactionSynchronizationManager.clearSynchronization();
            synchronizations.forEach(
                    synchronization -> synchronization.afterCompletion(TransactionSynchronization.STATUS_ROLLED_BACK));
        }
    }

    @Test
    void theCallsStartedForABatchRunTogetherAndEachHandlerTakesItsOwnAnswerOnce() {
        // Each call waits until all three are in flight: made one after the other, none would get past the first.
        CountDownLatch together = new CountDownLatch(3);
        try (CallsAhead<String, String> ahead = calls(request -> {
            together.countDown();
            return released(together) ? "answer to " + request : "alone: " + request;
        })) {
            TransactionSynchronizationManager.initSynchronization();

            ahead.start(List.of("a", "b", "c"));

            assertThat(ahead.get("b")).isEqualTo("answer to b");
            assertThat(ahead.get("a")).isEqualTo("answer to a");
            assertThat(ahead.get("c")).isEqualTo("answer to c");
            assertThat(ahead.get("c"))
                    .as("asked again in its transaction: the same answer")
                    .isEqualTo("answer to c");
            assertThat(calls)
                    .containsOnlyKeys("a", "b", "c")
                    .allSatisfy((request, n) -> assertThat(n).hasValue(1));
        }
    }

    @Test
    void aCallThatFailedAheadFailsItsHandlerWithItsOwnException() {
        TransientFailure unavailable = new TransientFailure("provider unavailable");
        try (CallsAhead<String, String> ahead = calls(request -> {
            throw unavailable;
        })) {
            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("a"));

            assertThatThrownBy(() -> ahead.get("a")).isSameAs(unavailable);
            assertThat(calls.get("a")).as("not asked again").hasValue(1);
        }
    }

    @Test
    void withoutACallStartedOrOutsideATransactionTheHandlerCallsAtOnce() {
        try (CallsAhead<String, String> ahead = calls(request -> "answer to " + request)) {
            ahead.start(List.of("a"));
            assertThat(calls).as("nothing started outside a transaction").isEmpty();
            assertThat(ahead.get("a")).isEqualTo("answer to a");

            TransactionSynchronizationManager.initSynchronization();
            assertThat(ahead.get("c")).isEqualTo("answer to c");
            assertThat(calls.get("c")).hasValue(1);
        }
    }

    @Test
    void withALimitOfNoneNothingIsStartedAndEachHandlerCallsInItsTurn() {
        try (CallsAhead<String, String> ahead =
                new CallsAhead<>(request -> Thread.currentThread().isVirtual() ? "made ahead" : "made now", 0)) {
            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("a"));

            assertThat(ahead.get("a")).isEqualTo("made now");
        }
    }

    @Test
    void noMoreCallsThanTheLimitAreInFlightAtOnce() {
        AtomicInteger current = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (CallsAhead<String, String> ahead = new CallsAhead<>(
                request -> {
                    most.accumulateAndGet(current.incrementAndGet(), Math::max);
                    released(release);
                    current.decrementAndGet();
                    return "answer to " + request;
                },
                2)) {
            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("a", "b", "c", "d", "e"));
            await().atMost(DEADLINE).until(() -> current.get() == 2);

            release.countDown();

            assertThat(List.of("a", "b", "c", "d", "e").stream().map(ahead::get))
                    .containsExactly("answer to a", "answer to b", "answer to c", "answer to d", "answer to e");
            assertThat(most).as("two at a time").hasValue(2);
        }
    }

    @Test
    void theCallsBelongToTheirTransactionAndAreGoneWhenItCompletes() {
        try (CallsAhead<String, String> ahead =
                new CallsAhead<>(request -> Thread.currentThread().isVirtual() ? "made ahead" : "made now", 16)) {
            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("a"));
            assertThat(ahead.get("a")).isEqualTo("made ahead");
            ahead.start(List.of("b"));
            endTheTransaction();

            assertThat(ahead.get("b"))
                    .as("the call started in a transaction that completed is not the next one's")
                    .isEqualTo("made now");
        }
    }

    /**
     * A batch that fails before its handlers took every answer: its deliveries are then applied alone and ask the
     * provider again, so its transaction's completion waits for the calls still running (never two with one key).
     */
    @Test
    void aTransactionThatCompletesWaitsForTheCallsItStartedAndNoHandlerTook() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        try (CallsAhead<String, String> ahead = calls(request -> {
            released(release);
            finished.set(true);
            return "answer to " + request;
        })) {
            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("a"));
            Thread completing = Thread.currentThread();
            Thread releaser = Thread.ofPlatform().start(() -> {
                // Once the completion waits (this test's thread parked in it), let the call finish.
                await().atMost(DEADLINE).until(() -> completing.getState() == Thread.State.WAITING);
                release.countDown();
            });

            endTheTransaction();

            assertThat(finished)
                    .as("the call had finished when the completion returned")
                    .isTrue();
            releaser.join(DEADLINE.toMillis());
        }
    }

    private CallsAhead<String, String> calls(Function<String, String> call) {
        return new CallsAhead<>(
                request -> {
                    calls.computeIfAbsent(request, key -> new AtomicInteger()).incrementAndGet();
                    return call.apply(request);
                },
                16);
    }

    private static boolean released(CountDownLatch latch) {
        try {
            return latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
