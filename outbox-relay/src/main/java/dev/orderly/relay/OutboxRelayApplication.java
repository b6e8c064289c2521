package dev.orderly.relay;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The outbox relay service: drains the configured outbox tables into RabbitMQ's {@code orders.events} exchange.
 *
 * <p>See docs/outbox-relay.md for what it consumes, publishes, stores and exposes, and how it fails.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class OutboxRelayApplication {

    public static void main(String[] args) {
        SpringApplication.run(OutboxRelayApplication.class, args);
    }
}
