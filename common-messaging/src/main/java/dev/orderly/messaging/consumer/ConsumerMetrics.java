package dev.orderly.messaging.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The consumer metrics of DESIGN §8: {@code orderly.consumer.messages} (consumer, event_type, outcome),
 * {@code orderly.consumer.processing} and {@code orderly.event.age} (histograms; the age has a 30 s SLO bucket) and
 * {@code orderly.consumer.redelivered}; plus {@code orderly.consumer.republish.failures} for republishes the broker
 * did not confirm.
 *
 * <p>Invariant: the {@code event_type} tag is always a catalogued type or {@code unknown}, so a stream of garbage
 * cannot grow the number of time series.
 */
final class ConsumerMetrics {

    /** The final disposition of one delivery. */
    enum Outcome {
        PROCESSED,
        DUPLICATE,
        RETRIED,
        PARKED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final Duration EVENT_AGE_SLO = Duration.ofSeconds(30);

    private final MeterRegistry registry;
    private final String consumer;
    private final Counter redelivered;
    private final Counter republishFailures;

    ConsumerMetrics(MeterRegistry registry, String consumer) {
        this.registry = registry;
        this.consumer = consumer;
        this.redelivered = Counter.builder("orderly.consumer.redelivered")
                .description("Deliveries the broker flagged as redelivered (a consumer died or returned them)")
                .tag("consumer", consumer)
                .register(registry);
        this.republishFailures = Counter.builder("orderly.consumer.republish.failures")
                .description("Retries or parkings the broker did not confirm; the delivery was returned, not acked")
                .tag("consumer", consumer)
                .register(registry);
    }

    void outcome(String eventType, Outcome outcome) {
        Counter.builder("orderly.consumer.messages")
                .description("Deliveries by final outcome")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .tag("outcome", outcome.tag())
                .register(registry)
                .increment();
    }

    void processing(String eventType, long nanos) {
        Timer.builder("orderly.consumer.processing")
                .description("Time from delivery to ack, retry or park")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void eventAge(String eventType, Duration age) {
        Timer.builder("orderly.event.age")
                .description("Now minus the event's occurred_at, when it was handled")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .publishPercentileHistogram()
                .serviceLevelObjectives(EVENT_AGE_SLO)
                .register(registry)
                .record(age.isNegative() ? Duration.ZERO : age);
    }

    void redelivered() {
        redelivered.increment();
    }

    void republishFailed() {
        republishFailures.increment();
    }
}
