package dev.orderly.messaging.topology;

import dev.orderly.contracts.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.ExchangeBuilder;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;

/**
 * The queues of one consuming domain D (docs/design.md#the-topology): the work queue, its retry tiers and its parking lot.
 *
 * <ul>
 *   <li>{@code D.work}: quorum queue bound to {@code orders.events} with D's routing keys. An explicit
 *       {@code x-delivery-limit} (3.10 has no default, 4.x has 20) makes the broker dead-lettering to
 *       {@code orders.dlx}/D the backstop for a message whose consumer keeps dying before it can ack;
 *       {@code x-dead-letter-strategy=at-least-once} with {@code x-overflow=reject-publish} (required together)
 *       keeps that dead-lettering from losing the message.
 *   <li>{@code D.retry.<delay>}: one quorum queue per delay, {@code x-message-ttl} = delay, dead-lettering (at least
 *       once) to {@code orders.retry} with routing key {@code D.work}. One TTL per queue, so a short delay never waits
 *       behind a long one. {@code orders.retry} is a topic exchange where every retry queue is bound with its own name
 *       and {@code D.work} with its own: the runtime publishes a retry with key = the tier's name, and a parking-lot
 *       replay with key {@code D.work}. Publishing there rather than to the default exchange lets a least-privilege
 *       broker user write to its own routes only (topic permission {@code ^D\.} on {@code orders.retry}).
 *   <li>{@code orders.dlx}: topic exchange; {@code D.parking-lot}, a quorum queue bound to it with key D.
 * </ul>
 *
 * <p>The shared exchanges ({@code orders.events}, {@code orders.unrouted}, {@code orders.dlx}, {@code orders.retry})
 * are declared too unless {@code sharedExchanges} is false: where the broker's definitions create them and the
 * service's user has no configure right on them (docker compose, Helm, {@code ./orderly up}).
 *
 *
 * <p>Invariant: every service derives the same arguments for the same settings, since RabbitMQ refuses to redeclare a
 * queue with different ones; the names come from {@link Topology}.
 */
public final class DomainTopology {

    static final String DEAD_LETTER_STRATEGY = "x-dead-letter-strategy";
    static final String AT_LEAST_ONCE = "at-least-once";

    private DomainTopology() {}

    /** The exchange parking lots are bound to. */
    public static TopicExchange deadLetterExchange() {
        return ExchangeBuilder.topicExchange(Topology.DEAD_LETTER_EXCHANGE)
                .durable(true)
                .build();
    }

    /** The exchange of the retry path. */
    public static TopicExchange retryExchange() {
        return ExchangeBuilder.topicExchange(Topology.RETRY_EXCHANGE)
                .durable(true)
                .build();
    }

    /** The work queue of {@code domain}. */
    public static Queue workQueue(String domain, int deliveryLimit) {
        return QueueBuilder.durable(Topology.workQueue(domain))
                .quorum()
                .deliveryLimit(deliveryLimit)
                .deadLetterExchange(Topology.DEAD_LETTER_EXCHANGE)
                .deadLetterRoutingKey(domain)
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .withArgument(DEAD_LETTER_STRATEGY, AT_LEAST_ONCE)
                .build();
    }

    /** The retry tier of {@code domain} that holds messages for {@code delay}. */
    public static Queue retryQueue(String domain, Duration delay) {
        return QueueBuilder.durable(Topology.retryQueue(domain, delay))
                .quorum()
                .ttl(Math.toIntExact(delay.toMillis()))
                .deadLetterExchange(Topology.RETRY_EXCHANGE)
                .deadLetterRoutingKey(Topology.workQueue(domain))
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .withArgument(DEAD_LETTER_STRATEGY, AT_LEAST_ONCE)
                .build();
    }

    /**
     * Redeliveries of one parked message before the broker gives up on it. RabbitMQ 4.x gives quorum queues a default
     * limit of 20 and the parking lot has nowhere further to dead-letter to, so past a limit a parked message would be
     * dropped; an explicit, practically unreachable limit keeps it on 4.x exactly as on 3.10, which has no default.
     */
    static final int PARKING_LOT_DELIVERY_LIMIT = 1_000_000;

    /** The parking lot of {@code domain}. */
    public static Queue parkingLot(String domain) {
        return QueueBuilder.durable(Topology.parkingLot(domain))
                .quorum()
                .deliveryLimit(PARKING_LOT_DELIVERY_LIMIT)
                .build();
    }

    /**
     * Everything a consumer of {@code domain} needs, for a {@code Declarables} bean (RabbitAdmin redeclares it after
     * every reconnect).
     *
     * @param sharedExchanges whether to declare the shared exchanges too (and the unrouted queue), or only bind to
     *     them
     * @param routingKeys the event types D handles
     * @param retryDelays the retry tiers
     * @param deliveryLimit the work queue's broker delivery limit
     */
    public static Declarables declarables(
            String domain,
            List<String> routingKeys,
            List<Duration> retryDelays,
            int deliveryLimit,
            boolean sharedExchanges) {
        List<Declarable> all = new ArrayList<>();
        TopicExchange events = EventsExchange.events();
        TopicExchange retry = retryExchange();
        TopicExchange dlx = deadLetterExchange();
        if (sharedExchanges) {
            all.addAll(EventsExchange.declarables().getDeclarables());
            all.add(retry);
            all.add(dlx);
        }
        Queue work = workQueue(domain, deliveryLimit);
        all.add(work);
        for (String routingKey : routingKeys) {
            all.add(BindingBuilder.bind(work).to(events).with(routingKey));
        }
        all.add(BindingBuilder.bind(work).to(retry).with(work.getName()));
        for (Duration delay : retryDelays.stream().distinct().toList()) {
            Queue tier = retryQueue(domain, delay);
            all.add(tier);
            all.add(BindingBuilder.bind(tier).to(retry).with(tier.getName()));
        }
        Queue parkingLot = parkingLot(domain);
        all.add(parkingLot);
        all.add(BindingBuilder.bind(parkingLot).to(dlx).with(domain));
        return new Declarables(all);
    }
}
