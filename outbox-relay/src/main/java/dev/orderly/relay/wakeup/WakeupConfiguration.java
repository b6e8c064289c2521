package dev.orderly.relay.wakeup;

import dev.orderly.relay.DedicatedConnections;
import dev.orderly.relay.RelayProperties;
import dev.orderly.relay.publishing.Relay;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the notification listener that wakes the drainers. */
@Configuration(proxyBeanMethods = false)
class WakeupConfiguration {

    @Bean
    OutboxNotifications outboxNotifications(DedicatedConnections connections, Relay relay, RelayProperties properties) {
        return new OutboxNotifications(connections, relay, properties.wakeup().reconnectBackoffMax());
    }
}
