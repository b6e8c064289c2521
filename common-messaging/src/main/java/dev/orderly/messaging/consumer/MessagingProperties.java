package dev.orderly.messaging.consumer;

import dev.orderly.contracts.Topology;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the reliable-listener runtime, under {@code orderly.messaging}: which domain a worker consumes for, where
 * its bookkeeping tables live, and how it retries, parks and forgets.
 *
 * <p>Invariant: an instance that binds is safe to run with. Retry delays are positive whole milliseconds (the broker's
 * TTL unit), at least one attempt is made, and processed-event ids are kept for longer than the longest time a message
 * can spend in the retry tiers times {@link ProcessedEvents#safetyFactor()}: otherwise a redelivery arriving after its
 * id was forgotten would apply its effect twice. A setting that breaks this fails startup with a message naming it.
 *
 * @param domain the consuming domain D (queues {@code D.work}, {@code D.retry.<delay>}, {@code D.parking-lot})
 * @param schema the PostgreSQL schema holding {@code processed_events}, {@code parked_messages} and
 *     {@code parking_audit}; the service's own schema
 * @param consumer the name recorded in {@code processed_events.consumer} and in metric tags; the domain if empty
 * @param listener how the work queue is consumed
 * @param retry how transient failures are retried
 * @param republish how retried and parked messages are republished
 * @param processedEvents how long processed event ids are remembered
 * @param parkingLot how parked messages are recorded and replayed
 * @param topology what the service declares on the broker
 */
@ConfigurationProperties("orderly.messaging")
@Validated
public record MessagingProperties(
        @Pattern(regexp = "[a-z][a-z0-9-]*", message = "must be lower-case letters, digits and '-', like 'order'")
        String domain,

        @Pattern(regexp = "[a-z_][a-z0-9_]{0,62}", message = "must be a plain lower-case SQL identifier, like 'orders'")
        String schema,

        @DefaultValue("") String consumer,
        @DefaultValue @Valid Listener listener,
        @DefaultValue @Valid Retry retry,
        @DefaultValue @Valid Republish republish,
        @DefaultValue @Valid ProcessedEvents processedEvents,
        @DefaultValue @Valid ParkingLot parkingLot,
        @DefaultValue TopologySettings topology) {

    public MessagingProperties {
        if (domain == null || domain.isBlank()) {
            throw new IllegalArgumentException("orderly.messaging.domain is not set: name the domain this service "
                    + "consumes for, one of " + Topology.DOMAINS);
        }
        if (schema == null || schema.isBlank()) {
            throw new IllegalArgumentException("orderly.messaging.schema is not set: name the schema that holds this "
                    + "service's processed_events, parked_messages and parking_audit tables");
        }
        Duration horizon = retry.horizon();
        Duration required = horizon.multipliedBy(processedEvents.safetyFactor());
        if (processedEvents.retention().compareTo(required) <= 0) {
            throw new IllegalArgumentException(("orderly.messaging.processed-events.retention (%s) must be longer than "
                            + "the retry horizon (%s: %d attempts over delays %s) times the safety factor %d = %s; "
                            + "a redelivery after its id was forgotten would apply its effect twice. Raise the "
                            + "retention or shorten the retry tiers.")
                    .formatted(
                            processedEvents.retention(),
                            horizon,
                            retry.maxAttempts(),
                            retry.delays(),
                            processedEvents.safetyFactor(),
                            required));
        }
    }

    /** The name recorded in {@code processed_events} and metric tags. */
    public String consumerName() {
        return consumer.isBlank() ? domain : consumer;
    }

    /**
     * @param prefetch unacknowledged deliveries the broker may push to each consumer; bounds work in flight
     * @param concurrency consumers (threads) on the work queue
     * @param shutdownTimeout how long a stopping container waits for in-flight deliveries to finish; those still
     *     running then are returned to the queue unacknowledged and redelivered (their effect is deduplicated)
     * @param transactionTimeout how long one transaction may take, all its statements together (whole seconds): a
     *     batch's, or one delivery's when it runs alone; past it the statement running is cancelled, a batch falls back
     *     to one transaction per delivery and a delivery alone goes to a retry tier
     * @param batchSize deliveries applied in one transaction at most (1 = one transaction per delivery); a value above
     *     the prefetch is taken as the prefetch, since a consumer never holds more unacknowledged deliveries than that
     * @param batchLinger how long a consumer waits for the next delivery of a batch it is gathering, and for the whole
     *     batch: gathering ends after about twice this at most, the latency a delivery can gain when the queue runs dry
     *     (whole milliseconds, at least 1)
     * @param batchLockTimeout PostgreSQL's {@code lock_timeout} inside a batch's transaction: a batch waiting longer
     *     for a row lock falls back to one transaction per delivery (each with the database's own lock timeout), so a
     *     row held elsewhere delays only its own delivery that long, not the whole batch; shorter than
     *     {@code orderly.database.lock-timeout}
     * @param callsAhead provider calls a worker makes ahead of its batches' handlers at once, across its consumers
     *     ({@link dev.orderly.messaging.resilience.CallsAhead}: payment- and shipping-worker); 0 makes none ahead, so
     *     each handler calls in its turn
     */
    public record Listener(
            @DefaultValue("20") @Min(1) @Max(1000) int prefetch,
            @DefaultValue("2") @Min(1) @Max(64) int concurrency,
            @DefaultValue("20s") Duration shutdownTimeout,
            @DefaultValue("30s") Duration transactionTimeout,
            @DefaultValue("20") @Min(1) @Max(1000) int batchSize,
            @DefaultValue("10ms") Duration batchLinger,
            @DefaultValue("500ms") Duration batchLockTimeout,
            @DefaultValue("16") @Min(0) @Max(1000) int callsAhead) {

        public Listener {
            if (transactionTimeout.toSeconds() < 1) {
                throw new IllegalArgumentException(
                        "orderly.messaging.listener.transaction-timeout must be at least 1s, was "
                                + transactionTimeout);
            }
            // A consumer never holds more than the prefetch unacknowledged: a larger batch could never fill.
            batchSize = Math.min(batchSize, prefetch);
            if (batchLockTimeout.toMillis() < 1) {
                throw new IllegalArgumentException(
                        "orderly.messaging.listener.batch-lock-timeout must be at least 1ms, was " + batchLockTimeout);
            }
            if (batchLinger.toMillis() < 1 || batchLinger.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException(
                        "orderly.messaging.listener.batch-linger must be between 1ms and 1s, was " + batchLinger);
            }
        }
    }

    /**
     * @param delays the retry tiers: attempt n waits {@code delays[min(n-1, size-1)]}; one queue per delay
     * @param maxAttempts deliveries before a transiently failing message is parked (1 = never retry)
     * @param deliveryLimit the work queue's {@code x-delivery-limit}: how often the broker redelivers a message whose
     *     consumer died or returned it before dead-lettering it to the parking lot itself; only a last-resort guard
     */
    public record Retry(
            @DefaultValue({"1s", "10s", "60s", "5m"}) @NotEmpty
            List<Duration> delays,

            @DefaultValue("6") @Min(1) @Max(100) int maxAttempts,
            @DefaultValue("10") @Min(1) @Max(1000) int deliveryLimit) {

        public Retry {
            delays = List.copyOf(delays);
            for (Duration delay : delays) {
                // Validates the same way the queue name is computed: positive whole milliseconds.
                Topology.retryQueue("check", delay);
            }
        }

        /** The delay before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed. */
        public Duration delayAfter(int attempt) {
            return delays.get(tierAfter(attempt));
        }

        /** The index of the tier a message goes to after attempt {@code attempt} (1-based) failed. */
        public int tierAfter(int attempt) {
            return Math.min(Math.max(attempt, 1) - 1, delays.size() - 1);
        }

        /** The longest time a message can spend in retry tiers: the sum of the delays of every retry. */
        public Duration horizon() {
            Duration total = Duration.ZERO;
            for (int attempt = 1; attempt < maxAttempts; attempt++) {
                total = total.plus(delayAfter(attempt));
            }
            return total;
        }
    }

    /**
     * @param declare whether the service declares its topology itself (the shared exchanges, its work queue with its
     *     bindings, retry tiers and parking lot) on every connection. False by default: the deployment declares the
     *     whole topology before any service starts (docker compose, Helm, {@code ./orderly up} import
     *     {@code helm/orderly/files/rabbitmq/topology.json}), and the service only verifies it, passively, reporting
     *     what is missing in readiness ({@code topology}). True suits a bare development broker and the tests, with a
     *     user that may configure everything
     * @param checkInterval how often the passive verification runs at most (it runs when readiness is asked)
     */
    public record TopologySettings(
            @DefaultValue("false") boolean declare,
            @DefaultValue("5s") Duration checkInterval) {}

    /**
     * @param confirmTimeout how long a republish waits for the broker's confirm before the delivery is returned to the
     *     queue instead of acknowledged
     */
    public record Republish(@DefaultValue("5s") Duration confirmTimeout) {}

    /**
     * @param retention how long a processed event id is remembered (and so a redelivery recognised)
     * @param safetyFactor how many retry horizons the retention must exceed
     * @param purgeInterval how often ids older than the retention are deleted
     * @param purgeBatchSize rows one delete statement removes, to keep each transaction short
     */
    public record ProcessedEvents(
            @DefaultValue("7d") Duration retention,
            @DefaultValue("10") @Min(1) int safetyFactor,
            @DefaultValue("10m") Duration purgeInterval,
            @DefaultValue("1000") @Positive int purgeBatchSize) {}

    /**
     * @param record whether parked messages are moved from the {@code D.parking-lot} queue into
     *     {@code parked_messages}, where they can be paged, inspected, replayed and purged
     * @param replayRate messages per second a replay republishes at most
     * @param replayWait how long a replay waits for the rate limiter's next permit before it stops (throttled; the
     *     rest is replayed by asking again)
     * @param replayLimit messages one replay request republishes at most; a larger selection needs more requests
     */
    public record ParkingLot(
            @DefaultValue("true") boolean record,
            @DefaultValue("50") @Positive int replayRate,
            @DefaultValue("5s") Duration replayWait,
            @DefaultValue("1000") @Positive int replayLimit) {}
}
