package dev.orderly.worker.shipping;

import dev.orderly.messaging.resilience.SimulatedFaults;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of shipping-worker, under {@code orderly.shipping}; consuming, retrying and parking are configured
 * under {@code orderly.messaging}, the carrier's timeout, circuit breaker and rate limiter under
 * {@code resilience4j.*.instances.carrier}.
 *
 * @param simulator the built-in carrier simulator
 */
@ConfigurationProperties("orderly.shipping")
@Validated
public record ShippingWorkerProperties(@DefaultValue @Valid Simulator simulator) {

    /**
     * The simulator's settings: the faults every simulator shares ({@link SimulatedFaults}), and what it announces.
     *
     * @param latency how long each booking takes
     * @param transientFailureRate the share of calls (0 to 1) that fail as if the carrier were unavailable
     * @param carrier the carrier name announced in {@code shipment.scheduled}
     * @param deliveryDays days from booking to the estimated delivery
     */
    public record Simulator(
            @DefaultValue("0ms") Duration latency,

            @DefaultValue("0") @DecimalMin("0") @DecimalMax("1")
            double transientFailureRate,

            @DefaultValue("simulated-post") @NotBlank String carrier,
            @DefaultValue("2") @Positive int deliveryDays)
            implements SimulatedFaults {}
}
