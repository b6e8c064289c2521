package dev.orderly.messaging.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.messaging.consumer.TransientFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * {@link CallsAhead} inside a transaction's synchronization, as a batch's transaction has one (Spring's own
 * synchronization, opened and cleared here as the transaction manager does), and outside one.
 */
class CallsAheadTests {

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @AfterEach
    void endTheTransaction() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.getSynchronizations()
                    .forEach(synchronization -> synchronization.afterCompletion(0));
            TransactionSynchronizationManager.clearSynchronization();
        }
    }

    @Test
    void theCallsStartedForABatchRunTogetherAndEachHandlerTakesItsOwnAnswerOnce() {
        // Each call waits until all three are in flight: made one after the other, none would get past the first.
        CountDownLatch together = new CountDownLatch(3);
        try (CallsAhead<String, String> ahead = new CallsAhead<>(request -> {
            count(request);
            together.countDown();
            try {
                return together.await(10, TimeUnit.SECONDS) ? "answer to " + request : "alone: " + request;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        })) {
            TransactionSynchronizationManager.initSynchronization();

            ahead.start(List.of("a", "b", "c"));

            assertThat(ahead.get("b")).isEqualTo("answer to b");
            assertThat(ahead.get("a")).isEqualTo("answer to a");
            assertThat(ahead.get("c")).isEqualTo("answer to c");
            assertThat(calls)
                    .containsOnlyKeys("a", "b", "c")
                    .allSatisfy((request, n) -> assertThat(n).hasValue(1));
        }
    }

    @Test
    void aCallThatFailedAheadFailsItsHandlerWithItsOwnException() {
        TransientFailure unavailable = new TransientFailure("provider unavailable");
        try (CallsAhead<String, String> ahead = new CallsAhead<>(request -> {
            count(request);
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
        try (CallsAhead<String, String> ahead = new CallsAhead<>(request -> {
            count(request);
            return "answer to " + request;
        })) {
            ahead.start(List.of("a"));
            assertThat(calls).as("nothing started outside a transaction").isEmpty();
            assertThat(ahead.get("a")).isEqualTo("answer to a");

            TransactionSynchronizationManager.initSynchronization();
            ahead.start(List.of("b"));
            assertThat(ahead.get("c")).isEqualTo("answer to c");
            assertThat(ahead.get("b")).isEqualTo("answer to b");
            assertThat(ahead.get("b"))
                    .as("an answer is taken once; asked again, it is a new call")
                    .isEqualTo("answer to b");
            assertThat(calls.get("b")).hasValue(2);
        }
    }

    @Test
    void theCallsBelongToTheirTransactionAndAreGoneWhenItCompletes() {
        try (CallsAhead<String, String> ahead =
                new CallsAhead<>(request -> Thread.currentThread().isVirtual() ? "made ahead" : "made now")) {
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

    private void count(String request) {
        calls.computeIfAbsent(request, key -> new AtomicInteger()).incrementAndGet();
    }
}
