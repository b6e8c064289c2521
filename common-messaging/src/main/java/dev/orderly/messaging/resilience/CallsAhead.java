package dev.orderly.messaging.resilience;

import dev.orderly.messaging.consumer.TransactionBound;
import dev.orderly.messaging.consumer.TransientFailure;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * One call to an external provider per delivery of a batch, made for all of them at once before the batch's handlers
 * run, each handler then taking its own call's answer: a batch of 20 payments waits for the gateway about once, not
 * 20 times one after the other while its transaction is open and its messages unacknowledged. Without it, a worker's
 * throughput is capped at its consumers divided by the provider's latency (4 consumers at 20 ms: 200 calls a second),
 * whatever the machine could do; more consumers would lift that cap with more open transactions and smaller batches.
 *
 * <p>Started from the batch's {@link dev.orderly.messaging.consumer.BatchPreparation} ({@link #start}), taken by the
 * handlers ({@link #get}). Invariants:
 *
 * <ul>
 *   <li>only for calls that are idempotent by their key: the provider answers a key it has seen with its first
 *       answer and charges or books once. A call made ahead for a batch that then fails is made again when the
 *       delivery is applied alone, and gets the same answer;
 *   <li>never two calls with one key at once: the calls a batch started are waited for when its transaction
 *       completes, before its deliveries can be applied alone;
 *   <li>a handler gets exactly what its own call would have given it: the answer, or the call's exception, rethrown
 *       (a transient failure sends its delivery to a retry tier as before, and its batch to the one-by-one fallback);
 *   <li>at most {@code limit} calls are in flight ahead of handlers at once, across the worker's consumers (the
 *       provider's and the database pool's capacity); a call waits for its turn on its own thread;
 *   <li>the calls belong to the batch's transaction ({@link TransactionBound}); outside one, {@link #get} calls at
 *       once. Each call must be bounded by its own time limit ({@link GuardedCalls}), since a handler waits for it.
 * </ul>
 *
 * @param <K> the call's request, its key (equal requests are one call)
 * @param <R> the provider's answer
 */
public final class CallsAhead<K, R> implements AutoCloseable {

    private final Function<K, R> call;
    private final int limit;
    private final Semaphore inFlight;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param call the guarded, idempotent call
     * @param limit calls in flight ahead of handlers at most ({@code orderly.messaging.listener.calls-ahead}); 0 makes
     *     none ahead, so each handler calls in its turn
     */
    public CallsAhead(Function<K, R> call, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        this.call = call;
        this.limit = limit;
        this.inFlight = new Semaphore(Math.max(1, limit), true);
    }

    /**
     * Starts the call for each request, bound to the current transaction; a request already started in it is not
     * started again. Outside a transaction, with a limit of 0, or once closed, does nothing (the handlers call).
     */
    public void start(Collection<K> requests) {
        if (limit == 0) {
            return;
        }
        TransactionBound.get(this, this::started).ifPresent(started -> {
            for (K request : requests) {
                try {
                    started.computeIfAbsent(request, key -> CompletableFuture.supplyAsync(() -> inTurn(key), calls));
                } catch (RejectedExecutionException closed) {
                    return;
                }
            }
        });
    }

    /**
     * The answer of the call started for {@code request} in this transaction, once it has come (or its exception,
     * rethrown); the call made now if none was started.
     */
    public R get(K request) {
        CompletableFuture<R> started = TransactionBound.<Map<K, CompletableFuture<R>>>find(this)
                .map(ahead -> ahead.get(request))
                .orElse(null);
        if (started == null) {
            return call.apply(request);
        }
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientFailure("Interrupted while waiting for the call made ahead for " + request, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new TransientFailure("The call made ahead for " + request + " failed: " + cause, cause);
        }
    }

    @Override
    public void close() {
        calls.close();
    }

    private R inTurn(K request) {
        inFlight.acquireUninterruptibly();
        try {
            return call.apply(request);
        } finally {
            inFlight.release();
        }
    }

    /** A transaction's calls, waited for when it completes (a handler may never have taken some of them). */
    private Map<K, CompletableFuture<R>> started() {
        Map<K, CompletableFuture<R>> started = new ConcurrentHashMap<>();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                started.values()
                        .forEach(future ->
                                future.handle((answer, failure) -> null).join());
            }
        });
        return started;
    }
}
