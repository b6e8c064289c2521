package dev.orderly.worker.order.orders;

import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.EventHandlers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which of {@link OrderListener}'s methods handles which event type (the runtime and the outbox writer come from
 * common-messaging's auto-configuration).
 *
 * <p>Invariant: every payload type is handed to the {@code on} overload of its own type, so {@code order.work} is bound
 * to exactly the event types the listener has a method for.
 */
@Configuration(proxyBeanMethods = false)
class OrdersConfiguration {

    @Bean
    EventHandlers orderHandlers(OrderListener listener, OrderLifecycle lifecycle) {
        return EventHandlers.builder()
                .beforeBatch(lifecycle::lockBatch)
                .on(OrderCreated.class, event -> listener.on(event.data(), event))
                .on(InventoryRejected.class, event -> listener.on(event.data(), event))
                .on(PaymentAuthorized.class, event -> listener.on(event.data(), event))
                .on(PaymentDeclined.class, event -> listener.on(event.data(), event))
                .on(ShipmentScheduled.class, event -> listener.on(event.data(), event))
                .build();
    }
}
