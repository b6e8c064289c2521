package dev.orderly.worker.order;

import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.worker.order.orders.OrderListener;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wires order-worker: which handler applies which event, the clock, and the outbox the next events go to. */
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

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    EventCodec eventCodec() {
        return new EventCodec();
    }

    @Bean(destroyMethod = "close")
    OutboxNotifier outboxNotifier(JdbcTemplate jdbc) {
        return new OutboxNotifier(jdbc);
    }

    @Bean
    OutboxWriter outboxWriter(
            JdbcClient jdbc, EventCodec codec, OrderWorkerProperties properties, OutboxNotifier notifier) {
        return new OutboxWriter(jdbc, codec, OutboxTable.parse(properties.outboxTable()), notifier);
    }
}
