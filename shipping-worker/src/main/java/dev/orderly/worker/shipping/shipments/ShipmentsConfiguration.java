package dev.orderly.worker.shipping.shipments;

import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.messaging.consumer.EventHandlers;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which of {@link ShipmentListener}'s methods handles which event type (the runtime and the outbox writer come from
 * common-messaging's auto-configuration).
 *
 * <p>Invariant: every payload type is handed to the {@code on} overload of its own type, so {@code shipping.work} is
 * bound to exactly the event types the listener has a method for.
 */
@Configuration(proxyBeanMethods = false)
class ShipmentsConfiguration {

    @Bean
    EventHandlers shippingHandlers(ShipmentListener listener) {
        return EventHandlers.builder()
                .on(PaymentAuthorized.class, event -> listener.on(event.data(), event))
                .beforeBatch(listener::beforeBatch)
                .build();
    }
}
