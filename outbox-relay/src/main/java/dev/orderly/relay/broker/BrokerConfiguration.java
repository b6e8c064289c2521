package dev.orderly.relay.broker;

import dev.orderly.contracts.Topology;
import dev.orderly.messaging.topology.EventsExchange;
import dev.orderly.relay.RelayProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateConfigurer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The relay's RabbitMQ wiring on top of Boot's: a template that publishes {@code mandatory} on a connection with
 * correlated confirms and returns, the blocked-connection gate, and the events topology.
 *
 * <p>Invariant: the relay refuses to start on a connection factory without correlated publisher confirms and returns,
 * since it could then mark rows published that the broker never took.
 */
@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(BrokerConfiguration.class);

    /** Names the relay's connection in the management UI: {@code outbox-relay/<instance>}. */
    @Bean
    ConnectionNameStrategy relayConnectionName(RelayProperties properties) {
        String name = "outbox-relay/" + properties.effectiveInstanceId();
        return connectionFactory -> name;
    }

    @Bean
    RabbitTemplate rabbitTemplate(RabbitTemplateConfigurer configurer, ConnectionFactory connectionFactory) {
        if (!connectionFactory.isPublisherConfirms() || !connectionFactory.isPublisherReturns()) {
            throw new IllegalStateException("The outbox relay needs correlated publisher confirms and returns, or it "
                    + "could mark rows published that RabbitMQ never took: set "
                    + "spring.rabbitmq.publisher-confirm-type=correlated and spring.rabbitmq.publisher-returns=true "
                    + "(as the relay's application.yaml does).");
        }
        RabbitTemplate template = new RabbitTemplate();
        configurer.configure(template, connectionFactory);
        template.setMandatory(true);
        // Each return is also attached to its message's CorrelationData, which is where the relay reads it; this
        // callback only keeps the template from warning that nobody listens for returns.
        template.setReturnsCallback(returned -> log.debug(
                "Returned by RabbitMQ: {} {} from '{}' with key '{}'",
                returned.getReplyCode(),
                returned.getReplyText(),
                returned.getExchange(),
                returned.getRoutingKey()));
        return template;
    }

    @Bean
    BrokerGate brokerGate(MeterRegistry meters, ConnectionFactory connectionFactory) {
        BrokerGate gate = new BrokerGate(meters);
        connectionFactory.addConnectionListener(gate);
        return gate;
    }

    /**
     * Connects once at start-up, so a misconfigured broker (a wrong login, a missing virtual host) shows in the log at
     * once rather than at the first publish, and where the relay declares its exchanges (a development broker) they
     * exist before the first row goes out. A broker that is down does not stop the relay from starting: it connects
     * as soon as the broker is back.
     */
    @Bean
    ApplicationRunner connectAtStartup(ConnectionFactory connectionFactory) {
        return arguments -> {
            try {
                connectionFactory.createConnection().close();
            } catch (AmqpException e) {
                log.warn(
                        "RabbitMQ is not reachable at start-up ({}); the relay starts anyway and connects as soon as "
                                + "it is",
                        e.getMessage());
            }
        };
    }

    /**
     * {@code orders.events} with its alternate exchange and the unrouted queue, declared by RabbitAdmin on every new
     * connection (so again after each reconnect), on a bare development broker only
     * ({@code orderly.messaging.topology.declare=true}): every deployment declares the whole topology before any
     * service starts, and the relay's user may only write to the exchange. Only when publishing to that exchange: a
     * test pointing the relay at another exchange must find that one exactly as it made it.
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "orderly.messaging.topology.declare")
    @ConditionalOnProperty(
            prefix = "orderly.relay",
            name = "exchange",
            havingValue = Topology.EVENTS_EXCHANGE,
            matchIfMissing = true)
    Declarables eventsTopology() {
        return EventsExchange.declarables();
    }
}
