package dev.orderly.relay;

import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires what every feature of the relay shares: the dedicated (non-pooled) database connections. */
@Configuration(proxyBeanMethods = false)
class RelayConfiguration {

    @Bean
    DedicatedConnections dedicatedConnections(JdbcConnectionDetails database, RelayProperties properties) {
        return new DedicatedConnections(database, properties.effectiveInstanceId());
    }
}
