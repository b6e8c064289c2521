package dev.orderly.worker.order;

import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.worker.order.orders.OrderListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires order-worker: which handler applies which event (the runtime, outbox writer and clock come from
 * common-messaging's auto-configuration). */
@Configuration(proxyBeanMethods = false)
class OrderWorkerConfiguration {

    @Bean
    EventHandlers orderHandlers(OrderListener listener) {
        return EventHandlers.builder()
                .on(OrderCreated.class, listener::onOrderCreated)
                .on(InventoryRejected.class, listener::onInventoryRejected)
                .on(PaymentAuthorized.class, listener::onPaymentAuthorized)
                .on(PaymentDeclined.class, listener::onPaymentDeclined)
                .on(ShipmentScheduled.class, listener::onShipmentScheduled)
                .build();
    }
}
