package dev.orderly.worker.payment;

import dev.orderly.contracts.InventoryReserved;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.worker.payment.payments.PaymentListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires payment-worker: which handler applies which event (the runtime, outbox writer and clock come from
 * common-messaging's auto-configuration). */
@Configuration(proxyBeanMethods = false)
class PaymentWorkerConfiguration {

    @Bean
    EventHandlers paymentHandlers(PaymentListener listener) {
        return EventHandlers.builder()
                .on(InventoryReserved.class, listener::onInventoryReserved)
                .build();
    }
}
