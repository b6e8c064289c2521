package dev.orderly.worker.payment;

import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.messaging.consumer.EventHandlers;
import dev.orderly.messaging.outbox.OutboxNotifier;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.worker.payment.payments.PaymentListener;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wires payment-worker: which handler applies which event, the clock, and the outbox the next events go to. */
@Configuration(proxyBeanMethods = false)
class PaymentWorkerConfiguration {

    @Bean
    EventHandlers paymentHandlers(PaymentListener listener) {
        return EventHandlers.builder()
                .on(InventoryReserved.class, listener::onInventoryReserved)
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
            JdbcClient jdbc, EventCodec codec, PaymentWorkerProperties properties, OutboxNotifier notifier) {
        return new OutboxWriter(jdbc, codec, OutboxTable.parse(properties.outboxTable()), notifier);
    }
}
