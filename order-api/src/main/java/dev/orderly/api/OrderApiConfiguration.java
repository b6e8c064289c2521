package dev.orderly.api;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires order-api's clock. The outbox writer and the event codec come from common-messaging's outbox
 * auto-configuration ({@code orderly.outbox.table}); each package registers its own beans: the body limit in
 * {@code web}, the backlog sample in {@code backpressure}, the key purge and the stuck-orders count in {@code orders}.
 */
@Configuration(proxyBeanMethods = false)
class OrderApiConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
