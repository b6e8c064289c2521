package dev.orderly.messaging.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** A service that talks to RabbitMQ does not start without its own broker login, and says which variable to set. */
class BrokerLoginAutoConfigurationTests {

    final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BrokerLoginAutoConfiguration.class))
            .withPropertyValues("spring.application.name=payment-worker");

    @Test
    void withoutAUserTheServiceDoesNotStartAndTheMessageNamesTheVariable() {
        context.run(started -> assertThat(started)
                .hasFailed()
                .getFailure()
                .hasMessageContaining("SPRING_RABBITMQ_USERNAME")
                .hasMessageContaining("orderly-payment-worker")
                .hasMessageContaining("never falls back"));
    }

    @Test
    void withAUserButNoPasswordTheServiceDoesNotStart() {
        context.withPropertyValues("spring.rabbitmq.username=orderly-payment-worker")
                .run(started ->
                        assertThat(started).hasFailed().getFailure().hasMessageContaining("SPRING_RABBITMQ_PASSWORD"));
    }

    @Test
    void withItsOwnLoginTheServiceStarts() {
        context.withPropertyValues(
                        "spring.rabbitmq.username=orderly-payment-worker", "spring.rabbitmq.password=generated")
                .run(started -> assertThat(started).hasNotFailed());
    }
}
