package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.consumer.ConsumerMetrics.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dashboards and alert rules need every series before its first event: they exist from start-up, at zero. */
class ConsumerMetricsTests {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyOutcomeOfEveryHandledEventTypeExistsAtZeroFromTheStart() {
        new ConsumerMetrics(
                registry, "payment", List.of("inventory.reserved"), List.of("inventory.reserved", "order.created"));

        for (Outcome outcome : Outcome.values()) {
            Counter counter = registry.find("orderly.consumer.messages")
                    .tags("consumer", "payment", "event_type", "inventory.reserved", "outcome", outcome.tag())
                    .counter();
            assertThat(counter).as(outcome.tag()).isNotNull();
            assertThat(counter.count()).isZero();
        }
        assertThat(registry.find("orderly.event.age")
                        .tag("event_type", "inventory.reserved")
                        .timer())
                .isNotNull();
        assertThat(registry.find("orderly.consumer.processing")
                        .tag("event_type", "inventory.reserved")
                        .timer())
                .isNotNull();
        assertThat(registry.find("orderly.consumer.redelivered").counter()).isNotNull();
    }

    @Test
    void anOutcomeCountsOnTheSameSeries() {
        ConsumerMetrics metrics = new ConsumerMetrics(
                registry, "payment", List.of("inventory.reserved"), List.of("inventory.reserved", "order.created"));

        metrics.outcome("inventory.reserved", Outcome.PARKED);
        metrics.outcome("unknown", Outcome.PARKED);

        assertThat(registry.find("orderly.consumer.messages")
                        .tags("event_type", "inventory.reserved", "outcome", "parked")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.find("orderly.consumer.messages")
                        .tags("event_type", "unknown", "outcome", "parked")
                        .counter()
                        .count())
                .isEqualTo(1);
    }
}
