package dev.orderly.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.Map;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
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
 * @param rateLimit how many orders each caller may place, per second and in a burst
 */
@ConfigurationProperties("orderly.api")
@Validated
public record OrderApiProperties(
        @DefaultValue("64KB") DataSize maxRequestBody,
        @DefaultValue @Valid Idempotency idempotency,
        @DefaultValue @Valid Backpressure backpressure,
        @DefaultValue @Valid StuckOrders stuckOrders,
        @DefaultValue @Valid Security security,
        @DefaultValue @Valid RateLimit rateLimit) {

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
     * A token bucket per caller on {@code POST /orders}: a caller is the token's customer (the principal,
     * {@link Security#customerClaim()}) through the token's client ({@code client_id}, else {@code azp}, else
     * {@code sub}), and the client picks the limit: its entry in {@code clients}, else the default this record's own
     * fields give. Buckets are kept in this replica's memory: with N replicas a caller may place up to N times the
     * limit (docs/order-api.md, "Rate limit").
     *
     * @param enabled whether {@code POST /orders} is limited at all
     * @param capacity the default limit's bucket: the most orders a caller may place in one burst
     * @param refill how many orders' worth the bucket gains back every {@code refillPeriod}, spread evenly over it: the
     *     rate a caller may keep up
     * @param refillPeriod the period {@code refill} is counted over
     * @param clients limits of their own for some clients, by client id; a field an entry leaves out is the default's
     * @param maxCallers how many callers' buckets are kept at most; beyond that the least recently seen is forgotten
     *     (and starts full again if it comes back)
     */
    public record RateLimit(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("20") @Positive long capacity,
            @DefaultValue("10") @Positive long refill,
            @DefaultValue("1s") @DurationMin(millis = 1) Duration refillPeriod,
            @DefaultValue Map<String, @Valid ClientLimit> clients,
            @DefaultValue("100000") @Positive int maxCallers) {

        public RateLimit {
            clients = clients == null ? Map.of() : Map.copyOf(clients);
        }

        /**
         * A client's own limit; any field left out is the default's.
         *
         * @param capacity its bucket
         * @param refill how many orders' worth its bucket gains back every {@code refillPeriod}
         * @param refillPeriod the period {@code refill} is counted over
         */
        public record ClientLimit(
                @Nullable @Positive Long capacity,
                @Nullable @Positive Long refill,
                @Nullable @DurationMin(millis = 1) Duration refillPeriod) {}
    }

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
