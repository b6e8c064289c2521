package dev.orderly.messaging.consumer;

import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A value that belongs to the current transaction, such as what a batch's transaction already read or asked for: made
 * the first time it is asked for, suspended with its transaction (so a transaction of a handler's own,
 * {@code REQUIRES_NEW}, has none and makes its own), and gone when the transaction completes, committed or rolled
 * back.
 *
 * <p>Spring's own tools for this ({@code SimpleTransactionScope}, a scoped bean behind a proxy) bind a bean, not a
 * value a component keeps for itself; this binds the value as a transaction resource under the component's key, the
 * way Spring binds a connection.
 */
public final class TransactionBound {

    private TransactionBound() {}

    /**
     * The value bound to the current transaction under {@code key}, made by {@code create} the first time; empty
     * outside a transaction (where no synchronization is active), so nothing outlives the work it was made for.
     */
    public static <T> Optional<T> get(Object key, Supplier<T> create) {
        Optional<T> bound = find(key);
        if (bound.isPresent() || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return bound;
        }
        Binding<T> binding = new Binding<>(key, create.get());
        TransactionSynchronizationManager.bindResource(key, binding);
        TransactionSynchronizationManager.registerSynchronization(binding);
        return Optional.of(binding.value);
    }

    /** The value bound to the current transaction under {@code key}, if one was made. */
    @SuppressWarnings("unchecked")
    public static <T> Optional<T> find(Object key) {
        Object resource = TransactionSynchronizationManager.getResource(key);
        return resource instanceof Binding<?> binding ? Optional.of((T) binding.value) : Optional.empty();
    }

    private static final class Binding<T> implements TransactionSynchronization {

        private final Object key;
        private final T value;
        private boolean completed;

        Binding(Object key, T value) {
            this.key = key;
            this.value = value;
        }

        @Override
        public void suspend() {
            TransactionSynchronizationManager.unbindResourceIfPossible(key);
        }

        @Override
        public void resume() {
            if (!completed) {
                TransactionSynchronizationManager.bindResource(key, this);
            }
        }

        @Override
        public void afterCompletion(int status) {
            completed = true;
            TransactionSynchronizationManager.unbindResourceIfPossible(key);
        }
    }
}
