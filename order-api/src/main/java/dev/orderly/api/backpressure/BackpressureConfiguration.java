package dev.orderly.api.backpressure;

import dev.orderly.api.OrderApiProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;

/** Samples the outbox backlog every {@code orderly.api.backpressure.sample-interval}. */
@Configuration(proxyBeanMethods = false)
class BackpressureConfiguration {

    @Bean
    SchedulingConfigurer outboxBacklogSampling(OutboxBacklog backlog, OrderApiProperties properties) {
        return registrar -> registrar.addFixedDelayTask(
                backlog::sample, properties.backpressure().sampleInterval());
    }
}
