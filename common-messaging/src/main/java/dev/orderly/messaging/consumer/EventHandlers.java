package dev.orderly.messaging.consumer;

import dev.orderly.contracts.EventData;
import dev.orderly.contracts.SchemaCatalog;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which handler applies which event type, declared by a worker as a bean:
 *
 * <pre>{@code
 * @Bean
 * EventHandlers handlers(OrderListener listener) {
 *     return EventHandlers.builder()
 *             .on(OrderCreated.class, event -> listener.on(event.data(), event))
 *             .on(PaymentAuthorized.class, event -> listener.on(event.data(), event))
 *             .build();
 * }
 * }</pre>
 *
 * <p>Invariant: one handler per payload type. The work queue is bound to exactly the event types registered here
 * (their names come from the schema catalogue, never from class names), so a message of any other type can only
 * arrive by mistake or replay, and is parked.
 */
public final class EventHandlers {

    private final Map<Class<? extends EventData>, EventHandler<?>> handlers;
    private final BatchPreparation beforeBatch;

    private EventHandlers(Map<Class<? extends EventData>, EventHandler<?>> handlers, BatchPreparation beforeBatch) {
        this.handlers = Map.copyOf(handlers);
        this.beforeBatch = beforeBatch;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The handler of a payload's type, if one is registered. */
    @SuppressWarnings("unchecked")
    <D extends EventData> Optional<EventHandler<D>> handlerFor(D data) {
        return Optional.ofNullable((EventHandler<D>) handlers.get(data.getClass()));
    }

    /** Runs the registered {@link BatchPreparation} (none: nothing) for a batch about to be applied. */
    void prepareBatch(List<InboundEvent<?>> events) {
        beforeBatch.prepare(events);
    }

    /** The event types (routing keys) handled, in catalogue order. */
    public List<String> eventTypes(SchemaCatalog catalog) {
        return catalog.entries().stream()
                .filter(entry -> handlers.containsKey(entry.dataType()))
                .map(SchemaCatalog.Entry::eventType)
                .distinct()
                .toList();
    }

    /** Collects handlers; {@link #build()} refuses an empty set. */
    public static final class Builder {

        private final Map<Class<? extends EventData>, EventHandler<?>> handlers = new LinkedHashMap<>();
        private BatchPreparation beforeBatch = events -> {};

        private Builder() {}

        /**
         * Sets what runs first in a batch's transaction, before its handlers: taking the rows the handlers will lock in
         * one global order, or starting the provider calls they will make (see {@link BatchPreparation}). Not run for
         * a delivery applied alone.
         */
        public Builder beforeBatch(BatchPreparation preparation) {
            this.beforeBatch = preparation;
            return this;
        }

        /**
         * Registers the handler of one payload type.
         *
         * @throws IllegalStateException if the type already has a handler
         */
        public <D extends EventData> Builder on(Class<D> type, EventHandler<D> handler) {
            @Nullable EventHandler<?> previous = handlers.putIfAbsent(type, handler);
            if (previous != null) {
                throw new IllegalStateException(
                        "Two handlers for " + type.getSimpleName() + ": register one handler per event type");
            }
            return this;
        }

        public EventHandlers build() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("No event handlers registered: a consumer must handle at least one "
                        + "event type, or it would bind its work queue to nothing");
            }
            return new EventHandlers(handlers, beforeBatch);
        }
    }
}
