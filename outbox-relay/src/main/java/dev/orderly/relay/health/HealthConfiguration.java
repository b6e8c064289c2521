package dev.orderly.relay.health;

import dev.orderly.relay.RelayProperties;
import dev.orderly.relay.metrics.BacklogGauges;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.relay.wakeup.OutboxNotifications;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the {@code outboxRelay} health contributor. */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

    @Bean
    RelayHealthIndicator outboxRelayHealthIndicator(
            Relay relay, OutboxNotifications notifications, BacklogGauges backlog, RelayProperties properties) {
        return new RelayHealthIndicator(relay, notifications, backlog, properties.effectiveInstanceId());
    }
}
