package dev.orderly.messaging.consumer;

import dev.orderly.messaging.signing.SignatureVerifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The consumer metrics (docs/design.md#observability): {@code orderly.consumer.messages} (consumer, event_type, outcome),
 * {@code orderly.consumer.processing} and {@code orderly.event.age} (histograms; the age has a 30 s SLO bucket) and
 * {@code orderly.consumer.redelivered}; plus {@code orderly.consumer.republish.failures} for republishes the broker
 * did not confirm, and {@code orderly.consumer.signature.invalid} (consumer, failure) for messages parked because their
 * signature failed the check; {@code orderly.consumer.batch.size} (deliveries per batch transaction) and
 * {@code orderly.consumer.batch.fallbacks} (batches applied one delivery at a time after their transaction failed).
 *
 * <p>Invariant: the {@code event_type} tag is always a catalogued type or {@code unknown}, so a stream of garbage
 * cannot grow the number of time series. Every handled event type's counters (each outcome) and timers exist from
 * start-up at zero, so dashboards and alert rules (a rate, a ratio, an increase of parked messages) find their series
 * before the first such delivery instead of showing nothing.
 */
public final class ConsumerMetrics {

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
    private final Set<String> catalogued;
    private final Counter redelivered;
    private final Counter republishFailures;
    private final DistributionSummary batchSize;
    private final Counter batchFallbacks;

    /**
     * @param handledEventTypes the types whose series exist from start-up
     * @param cataloguedEventTypes every type the {@code event_type} tag may name; any other is counted as
     *     {@code unknown}
     */
    public ConsumerMetrics(
            MeterRegistry registry,
            String consumer,
            Collection<String> handledEventTypes,
            Collection<String> cataloguedEventTypes) {
        this.registry = registry;
        this.consumer = consumer;
        this.catalogued = Set.copyOf(cataloguedEventTypes);
        for (String eventType : handledEventTypes) {
            for (Outcome outcome : Outcome.values()) {
                messages(eventType, outcome);
            }
            processingTimer(eventType);
            eventAgeTimer(eventType);
        }
        this.redelivered = Counter.builder("orderly.consumer.redelivered")
                .description("Deliveries the broker flagged as redelivered (a consumer died or returned them)")
                .tag("consumer", consumer)
                .register(registry);
        this.republishFailures = Counter.builder("orderly.consumer.republish.failures")
                .description("Retries or parkings the broker did not confirm; the delivery was returned, not acked")
                .tag("consumer", consumer)
                .register(registry);
        for (SignatureVerifier.Failure failure : SignatureVerifier.Failure.values()) {
            signatureInvalidCounter(failure);
        }
        this.batchSize = DistributionSummary.builder("orderly.consumer.batch.size")
                .description("Deliveries applied in one transaction (batches of two or more)")
                .tag("consumer", consumer)
                .serviceLevelObjectives(2, 5, 10, 20, 50, 100)
                .register(registry);
        this.batchFallbacks = Counter.builder("orderly.consumer.batch.fallbacks")
                .description("Batches whose transaction failed and whose deliveries were applied one by one")
                .tag("consumer", consumer)
                .register(registry);
    }

    void batch(int deliveries) {
        batchSize.record(deliveries);
    }

    void batchFellBack() {
        batchFallbacks.increment();
    }

    private Counter signatureInvalidCounter(SignatureVerifier.Failure failure) {
        return Counter.builder("orderly.consumer.signature.invalid")
                .description("Messages parked SIGNATURE_INVALID: signature missing, of an unknown key, or mismatched")
                .tag("consumer", consumer)
                .tag("failure", failure.tag())
                .register(registry);
    }

    void signatureRejected(SignatureVerifier.Failure failure) {
        signatureInvalidCounter(failure).increment();
    }

    void outcome(String eventType, Outcome outcome) {
        messages(eventType, outcome).increment();
    }

    /**
     * A message the broker itself dead-lettered to the parking lot (the work queue's delivery limit), counted as
     * parked so that it shows like the ones the runtime parks; {@code eventType} is the message's {@code type}
     * property, if any.
     */
    public void parkedByTheBroker(@Nullable String eventType) {
        outcome(
                eventType != null && catalogued.contains(eventType) ? eventType : ReliableListener.UNKNOWN,
                Outcome.PARKED);
    }

    void processing(String eventType, long nanos) {
        processingTimer(eventType).record(Duration.ofNanos(nanos));
    }

    void eventAge(String eventType, Duration age) {
        eventAgeTimer(eventType).record(age.isNegative() ? Duration.ZERO : age);
    }

    private Counter messages(String eventType, Outcome outcome) {
        return Counter.builder("orderly.consumer.messages")
                .description("Deliveries by final outcome")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .tag("outcome", outcome.tag())
                .register(registry);
    }

    private Timer processingTimer(String eventType) {
        return Timer.builder("orderly.consumer.processing")
                .description("Time from delivery to ack, retry or park")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .publishPercentileHistogram()
                .register(registry);
    }

    private Timer eventAgeTimer(String eventType) {
        return Timer.builder("orderly.event.age")
                .description("Now minus the event's occurred_at, when it was handled")
                .tag("consumer", consumer)
                .tag("event_type", eventType)
                .publishPercentileHistogram()
                .serviceLevelObjectives(EVENT_AGE_SLO)
                .register(registry);
    }

    void redelivered() {
        redelivered.increment();
    }

    void republishFailed() {
        republishFailures.increment();
    }
}
