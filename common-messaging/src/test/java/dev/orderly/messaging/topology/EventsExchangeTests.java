package dev.orderly.messaging.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;

class EventsExchangeTests {

    @Test
    void eventsExchangeIsDurableTopicWithTheUnroutedAlternate() {
        TopicExchange events = EventsExchange.events();

        assertThat(events.getName()).isEqualTo("orders.events");
        assertThat(events.isDurable()).isTrue();
        assertThat(events.isAutoDelete()).isFalse();
        assertThat(events.getArguments()).containsEntry("alternate-exchange", "orders.unrouted");
    }

    @Test
    void unroutedEventsAreKeptInADurableQuorumQueue() {
        var declarables = EventsExchange.declarables();

        assertThat(declarables.getDeclarablesByType(FanoutExchange.class))
                .singleElement()
                .satisfies(exchange -> assertThat(exchange.getName()).isEqualTo("orders.unrouted"));
        assertThat(declarables.getDeclarablesByType(Queue.class))
                .singleElement()
                .satisfies(queue -> {
                    assertThat(queue.getName()).isEqualTo("orders.unrouted");
                    assertThat(queue.isDurable()).isTrue();
                    assertThat(queue.getArguments()).containsEntry("x-queue-type", "quorum");
                });
        assertThat(declarables.getDeclarablesByType(Binding.class))
                .singleElement()
                .satisfies(binding -> assertThat(binding.getExchange()).isEqualTo("orders.unrouted"));
    }
}
