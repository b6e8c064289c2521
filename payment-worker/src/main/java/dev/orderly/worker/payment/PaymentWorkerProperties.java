package dev.orderly.worker.payment;

import dev.orderly.messaging.resilience.SimulatedFaults;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of payment-worker, under {@code orderly.payment}; consuming, retrying and parking are configured
 * under {@code orderly.messaging}, the gateway's timeout, circuit breaker and rate limiter under
 * {@code resilience4j.*.instances.payment-gateway}.
 *
 * @param simulator the built-in payment gateway simulator
 */
@ConfigurationProperties("orderly.payment")
@Validated
public record PaymentWorkerProperties(@DefaultValue @Valid Simulator simulator) {

    /**
     * The simulator's settings: the faults every simulator shares ({@link SimulatedFaults}), and its decline rules.
     *
     * @param latency how long each authorization takes
     * @param transientFailureRate the share of calls (0 to 1) that fail as if the gateway were unavailable
     * @param declineCustomerPrefix customers whose id starts with this are declined
     * @param maxAmountCents charges above this are declined
     */
    public record Simulator(
            @DefaultValue("0ms") Duration latency,

            @DefaultValue("0") @DecimalMin("0") @DecimalMax("1")
            double transientFailureRate,

            @DefaultValue("decline-") String declineCustomerPrefix,
            @DefaultValue("1000000") @PositiveOrZero long maxAmountCents)
            implements SimulatedFaults {}
}
