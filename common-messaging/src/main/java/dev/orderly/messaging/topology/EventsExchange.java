package dev.orderly.messaging.topology;

import dev.orderly.contracts.Topology;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

/**
 * The exchange every event is published to, {@code orders.events}, and where events go that no queue is bound for.
 *
 * <p>{@code orders.events} is a durable topic exchange whose alternate exchange is {@code orders.unrouted} (fanout),
 * bound to the durable quorum queue {@code orders.unrouted}: an event that no consumer's binding matches is kept
 * there and counted, never dropped. A deployment imports it with the rest of the topology
 * ({@code deploy/rabbitmq/definitions.json}); only on a bare development broker and in tests
 * ({@code orderly.messaging.topology.declare=true}) do the relay and the workers declare it, and then always through
 * this one definition, which has the arguments of the deployment's file: RabbitMQ refuses a second declaration of an
 * exchange with different arguments.
 */
public final class EventsExchange {

    private EventsExchange() {}

    /** The topic exchange with its alternate exchange. */
    public static TopicExchange events() {
        return ExchangeBuilder.topicExchange(Topology.EVENTS_EXCHANGE)
                .durable(true)
                .alternate(Topology.UNROUTED_EXCHANGE)
                .build();
    }

    /** The alternate exchange, fanout, so every unroutable event reaches the unrouted queue whatever its key. */
    public static FanoutExchange unrouted() {
        return ExchangeBuilder.fanoutExchange(Topology.UNROUTED_EXCHANGE)
                .durable(true)
                .build();
    }

    /** Where unroutable events are kept for an operator to inspect. */
    public static Queue unroutedQueue() {
        return QueueBuilder.durable(Topology.UNROUTED_QUEUE).quorum().build();
    }

    /** Everything above, for a {@code Declarables} bean: re-declared by RabbitAdmin after every reconnect. */
    public static Declarables declarables() {
        FanoutExchange unrouted = unrouted();
        Queue unroutedQueue = unroutedQueue();
        Binding binding = BindingBuilder.bind(unroutedQueue).to(unrouted);
        return new Declarables(unrouted, unroutedQueue, binding, events());
    }
}
