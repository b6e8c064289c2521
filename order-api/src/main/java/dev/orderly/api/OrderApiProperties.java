package dev.orderly.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of order-api, under {@code orderly.api}. Every one has a default that is safe to run with.
 *
 * @param maxRequestBody the largest request body accepted; larger ones are refused with 413 before being read
 * @param idempotency how long {@code Idempotency-Key}s are remembered
 * @param backpressure when new orders are refused because the outbox is not being drained
 * @param stuckOrders when an order that has not reached a final state counts as stuck
 * @param security whom an access token names as the customer
 */
@ConfigurationProperties("orderly.api")
@Validated
public record OrderApiProperties(
        @DefaultValue("64KB") DataSize maxRequestBody,
        @DefaultValue @Valid Idempotency idempotency,
        @DefaultValue @Valid Backpressure backpressure,
        @DefaultValue @Valid StuckOrders stuckOrders,
        @DefaultValue @Valid Security security) {

    /**
     * How a caller is known. Which keys check the tokens is Spring's own setting,
     * {@code spring.security.oauth2.resourceserver.jwt.*} ({@code jwk-set-uri}, {@code issuer-uri} or
     * {@code public-key-location}); without one, order-api does not start.
     *
     * @param customerClaim the access token's claim that names the customer: the orders it places are that customer's,
     *     and the only ones it may read without {@code orders:read-all}; its idempotency keys are its own. The
     *     subject by default, as with the local auth-server, whose client id is the subject; an identity provider that
     *     issues tokens to users may name the customer in a claim of its own
     */
    public record Security(@DefaultValue("sub") @NotBlank String customerClaim) {}

    /**
     * @param after how long an order may stay PENDING, RESERVED or PAID before it counts as stuck (gauge
     *     {@code orderly.orders.stuck}, alert {@code OrdersStuck}); far above the 30 s objective for a whole order
     * @param sampleInterval how often stuck orders are counted (one query on the partial index of open orders)
     */
    public record StuckOrders(
            @DefaultValue("5m") Duration after,
            @DefaultValue("30s") Duration sampleInterval) {}

    /**
     * @param retention how long a key answers with its first response; after that it may be used again
     * @param purgeInterval how often expired keys are deleted
     * @param purgeBatchSize how many expired keys one delete statement removes, keeping each transaction short
     */
    public record Idempotency(
            @DefaultValue("24h") Duration retention,
            @DefaultValue("10m") Duration purgeInterval,
            @DefaultValue("1000") @Positive int purgeBatchSize) {}

    /**
     * @param enabled whether POST /orders is refused while the backlog is over a limit
     * @param maxBacklog the number of unpublished outbox rows above which new orders are refused
     * @param maxOldestAge the age of the oldest unpublished outbox row above which new orders are refused
     * @param sampleInterval how often the backlog is measured (a bounded query on a partial index)
     * @param retryAfter what the {@code Retry-After} header of a 503 tells clients
     */
    public record Backpressure(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10000") @Positive int maxBacklog,
            @DefaultValue("60s") Duration maxOldestAge,
            @DefaultValue("500ms") Duration sampleInterval,
            @DefaultValue("5s") Duration retryAfter) {}
}
