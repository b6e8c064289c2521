package dev.orderly.worker.shipping;

import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.worker.shipping.shipments.ShipmentListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires shipping-worker: which handler applies which event (the runtime, outbox writer and clock come from
 * common-messaging's auto-configuration). */
@Configuration(proxyBeanMethods = false)
class ShippingWorkerConfiguration {

    @Bean
    EventHandlers shippingHandlers(ShipmentListener listener) {
        return EventHandlers.builder()
                .on(PaymentAuthorized.class, listener::onPaymentAuthorized)
                .build();
    }
}
