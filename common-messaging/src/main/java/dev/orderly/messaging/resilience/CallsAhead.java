package dev.orderly.messaging.resilience;

import dev.orderly.messaging.consumer.TransactionBound;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

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
 *   <li>a handler gets exactly what its own call would have given it: the answer, or the call's exception, rethrown
 *       (a transient failure sends its delivery to a retry tier as before, and its batch to the one-by-one fallback);
 *   <li>the calls belong to the batch's transaction ({@link TransactionBound}); outside one, {@link #get} calls at
 *       once. Each call must be bounded by its own time limit ({@link GuardedCalls}), since a handler waits for it.
 * </ul>
 *
 * @param <K> the call's request, its key (equal requests are one call)
 * @param <R> the provider's answer
 */
public final class CallsAhead<K, R> implements AutoCloseable {

    private final Function<K, R> call;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    /** @param call the guarded, idempotent call */
    public CallsAhead(Function<K, R> call) {
        this.call = call;
    }

    /**
     * Starts the call for each request, bound to the current transaction; a request already started in it is not
     * started again. Outside a transaction, does nothing.
     */
    public void start(Collection<K> requests) {
        TransactionBound.get(this, ConcurrentHashMap<K, CompletableFuture<R>>::new)
                .ifPresent(started -> requests.forEach(request -> started.computeIfAbsent(
                        request, key -> CompletableFuture.supplyAsync(() -> call.apply(key), calls))));
    }

    /**
     * The answer of the call started for {@code request} in this transaction, once it has come (or its exception,
     * rethrown); the call made now if none was started.
     */
    public R get(K request) {
        CompletableFuture<R> started = TransactionBound.<Map<K, CompletableFuture<R>>>find(this)
                .map(ahead -> ahead.remove(request))
                .orElse(null);
        if (started == null) {
            return call.apply(request);
        }
        try {
            return started.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        calls.close();
    }
}
