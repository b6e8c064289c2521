package dev.orderly.api.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.orderly.api.OrderApiProperties;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The buckets of the callers of {@code POST /orders}, one per caller (a customer through a client), each with its
 * client's limit: a Bucket4j token bucket of {@code capacity} orders that gains {@code refill} orders back every
 * {@code refill-period}, spread evenly (greedy refill), so a caller may burst to the capacity and keep up the refill
 * rate.
 *
 * <p>The buckets live in a Caffeine cache bounded to {@code max-callers} entries, never an unbounded map keyed by
 * whatever a token names. A bucket left alone for as long as it takes to refill from empty is full again, the same as
 * a new one, so forgetting it then ({@code expireAfterAccess}) changes no answer; only a flood of more distinct
 * callers than {@code max-callers} (each with a valid token) forgets buckets early, and those start full.
 *
 * <p>Every answer is counted in {@code orderly.api.rate.limit{outcome=allowed|limited, client}}, the client tag being a
 * configured client's id or {@code other}, so its values are bounded by the configuration, not by the callers.
 */
final class CallerLimits {

    /** The client tag of every client without a limit of its own. */
    static final String OTHER = "other";

    private final boolean enabled;
    private final Limit defaultLimit;
    private final Map<String, Limit> clientLimits;
    private final Cache<CallerKey, Bucket> buckets;
    private final Map<String, Counter> allowed = new HashMap<>();
    private final Map<String, Counter> limited = new HashMap<>();

    /** A limit resolved from the settings: {@code refill} orders every {@code refillPeriod}, at most {@code capacity}. */
    record Limit(long capacity, long refill, Duration refillPeriod) {

        /** How long an empty bucket takes to be full again: after that long alone, it is as good as a new one. */
        Duration fullRefill() {
            return refillPeriod.multipliedBy(Math.ceilDiv(capacity, refill));
        }

        Bucket newBucket() {
            return Bucket.builder()
                    .addLimit(Bandwidth.builder()
                            .capacity(capacity)
                            .refillGreedy(refill, refillPeriod)
                            .build())
                    .build();
        }
    }

    /** One caller: a customer through a client; each has a bucket of its own, with its client's limit. */
    private record CallerKey(String client, String customer) {}

    /**
     * The answer for one request.
     *
     * @param allowed whether it may go on
     * @param limit the caller's limit
     * @param remaining orders the caller may still place at once
     * @param retryAfter when {@code allowed} is false, how long until one more order's worth is back; zero otherwise
     */
    record Decision(boolean allowed, Limit limit, long remaining, Duration retryAfter) {}

    CallerLimits(OrderApiProperties.RateLimit settings, MeterRegistry meters) {
        this.enabled = settings.enabled();
        this.defaultLimit = new Limit(settings.capacity(), settings.refill(), settings.refillPeriod());
        Map<String, Limit> clients = new HashMap<>();
        settings.clients().forEach((client, own) -> clients.put(client, over(own, defaultLimit)));
        this.clientLimits = Map.copyOf(clients);
        Duration idle = Stream.concat(Stream.of(defaultLimit), clientLimits.values().stream())
                .map(Limit::fullRefill)
                .max(Duration::compareTo)
                .orElseThrow();
        this.buckets = Caffeine.newBuilder()
                .maximumSize(settings.maxCallers())
                .expireAfterAccess(idle)
                .build();
        for (String client :
                Stream.concat(clientLimits.keySet().stream(), Stream.of(OTHER)).toList()) {
            allowed.put(client, counter(meters, "allowed", client));
            limited.put(client, counter(meters, "limited", client));
        }
    }

    private static Counter counter(MeterRegistry meters, String outcome, String client) {
        return Counter.builder("orderly.api.rate.limit")
                .description("POST /orders requests by the rate limit's answer: allowed, or limited (429)")
                .tags("outcome", outcome, "client", client)
                .register(meters);
    }

    /** A client's own limit over the default: what it leaves out is the default's. */
    private static Limit over(OrderApiProperties.RateLimit.ClientLimit own, Limit defaults) {
        return new Limit(
                own.capacity() == null ? defaults.capacity() : own.capacity(),
                own.refill() == null ? defaults.refill() : own.refill(),
                own.refillPeriod() == null ? defaults.refillPeriod() : own.refillPeriod());
    }

    boolean enabled() {
        return enabled;
    }

    /** The limit of {@code client}: its own, or the default. */
    Limit limitOf(String client) {
        return clientLimits.getOrDefault(client, defaultLimit);
    }

    /** Takes one order's worth from the bucket of {@code customer} through {@code client}, if there is one left. */
    Decision tryPlace(String client, String customer) {
        Limit limit = limitOf(client);
        Bucket bucket = buckets.get(new CallerKey(client, customer), key -> limit.newBucket());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        String tag = clientLimits.containsKey(client) ? client : OTHER;
        if (probe.isConsumed()) {
            allowed.get(tag).increment();
            return new Decision(true, limit, probe.getRemainingTokens(), Duration.ZERO);
        }
        limited.get(tag).increment();
        return new Decision(false, limit, 0, Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** The clients with a limit of their own, for the log line at start. */
    List<String> clients() {
        return clientLimits.keySet().stream().sorted().toList();
    }
}
