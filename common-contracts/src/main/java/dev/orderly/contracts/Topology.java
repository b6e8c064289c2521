package dev.orderly.contracts;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names of the RabbitMQ exchanges and queues that make up Orderly's topology.
 *
 * <p>Invariant: every service computes a queue name through these helpers, so the declaring side and the
 * consuming side can never disagree on it; the names are fixed strings, never derived from class names.
 */
public final class Topology {

    /** Topic exchange every event is published to, with the event type as routing key. */
    public static final String EVENTS_EXCHANGE = "orders.events";

    /** Fanout exchange set as the alternate exchange of {@link #EVENTS_EXCHANGE}: unroutable events land here. */
    public static final String UNROUTED_EXCHANGE = "orders.unrouted";

    /** Durable queue bound to {@link #UNROUTED_EXCHANGE}, so an event no queue is bound for is kept. */
    public static final String UNROUTED_QUEUE = "orders.unrouted";

    /** Topic exchange parking lots are bound to, with the domain as binding key. */
    public static final String DEAD_LETTER_EXCHANGE = "orders.dlx";

    /**
     * Topic exchange of the retry path: each retry queue is bound with its own name, each work queue with its own name
     * (the retry queues dead-letter there when their TTL ends). A named exchange rather than the default one, so a
     * worker's broker user can be allowed to publish to its own retry tiers only (a topic permission on this
     * exchange), where the default exchange would let it write to any queue.
     */
    public static final String RETRY_EXCHANGE = "orders.retry";

    /** The order domain (order-worker). */
    public static final String ORDER = "order";

    /** The payment domain (payment-worker). */
    public static final String PAYMENT = "payment";

    /** The shipping domain (shipping-worker). */
    public static final String SHIPPING = "shipping";

    /** Every consuming domain. */
    public static final List<String> DOMAINS = List.of(ORDER, PAYMENT, SHIPPING);

    /**
     * Which consuming domains each event type is routed to: the bindings of {@link #EVENTS_EXCHANGE} every deployment
     * declares ({@code D.work} bound with the event type as key), the routes the relay checks before it publishes an
     * event, and the event types each worker must handle. In catalogue order.
     */
    public static final Map<String, List<String>> SUBSCRIPTIONS = subscriptions();

    private static final Pattern DOMAIN = Pattern.compile("[a-z][a-z0-9-]*");

    private static final long MILLIS_PER_SECOND = 1_000;
    private static final long MILLIS_PER_MINUTE = 60 * MILLIS_PER_SECOND;
    private static final long MILLIS_PER_HOUR = 60 * MILLIS_PER_MINUTE;

    private Topology() {}

    private static Map<String, List<String>> subscriptions() {
        Map<String, List<String>> routes = new LinkedHashMap<>();
        routes.put(EventTypes.ORDER_CREATED, List.of(ORDER));
        routes.put(EventTypes.INVENTORY_RESERVED, List.of(PAYMENT));
        routes.put(EventTypes.INVENTORY_REJECTED, List.of(ORDER));
        routes.put(EventTypes.PAYMENT_AUTHORIZED, List.of(ORDER, SHIPPING));
        routes.put(EventTypes.PAYMENT_DECLINED, List.of(ORDER));
        routes.put(EventTypes.SHIPMENT_SCHEDULED, List.of(ORDER));
        return Collections.unmodifiableMap(routes);
    }

    /** The event types {@code domain} consumes, in catalogue order; empty for a domain outside the catalogue. */
    public static List<String> subscriptionsOf(String domain) {
        checkDomain(domain);
        return SUBSCRIPTIONS.entrySet().stream()
                .filter(entry -> entry.getValue().contains(domain))
                .map(Map.Entry::getKey)
                .toList();
    }

    /** The work queues an event of {@code eventType} must reach; empty for a type outside the catalogue. */
    public static List<String> workQueuesFor(String eventType) {
        return SUBSCRIPTIONS.getOrDefault(eventType, List.of()).stream()
                .map(Topology::workQueue)
                .toList();
    }

    /** The work queue of a domain, e.g. {@code order.work}. */
    public static String workQueue(String domain) {
        return checkDomain(domain) + ".work";
    }

    /**
     * The retry queue of a domain for one delay tier, e.g. {@code payment.retry.10s}.
     *
     * <p>The delay is rendered in the largest unit that expresses it as a whole number, among hours, minutes,
     * seconds and milliseconds: 1 h is {@code 1h}, 60 s is {@code 1m}, 90 s is {@code 90s}, 200 ms is
     * {@code 200ms}.
     *
     * @throws IllegalArgumentException if the delay is not positive or not a whole number of milliseconds (the
     *     broker's TTL unit)
     */
    public static String retryQueue(String domain, Duration delay) {
        return checkDomain(domain) + ".retry." + render(delay);
    }

    /** The parking lot of a domain, e.g. {@code shipping.parking-lot}. */
    public static String parkingLot(String domain) {
        return checkDomain(domain) + ".parking-lot";
    }

    private static String render(Duration delay) {
        Objects.requireNonNull(delay, "retry delay must not be null");
        if (delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("retry delay must be positive, was " + delay);
        }
        if (delay.toNanosPart() % 1_000_000 != 0) {
            throw new IllegalArgumentException(
                    "retry delay must be a whole number of milliseconds (the broker's TTL unit), was " + delay);
        }
        long millis = delay.toMillis();
        if (millis % MILLIS_PER_HOUR == 0) {
            return millis / MILLIS_PER_HOUR + "h";
        }
        if (millis % MILLIS_PER_MINUTE == 0) {
            return millis / MILLIS_PER_MINUTE + "m";
        }
        if (millis % MILLIS_PER_SECOND == 0) {
            return millis / MILLIS_PER_SECOND + "s";
        }
        return millis + "ms";
    }

    private static String checkDomain(String domain) {
        Objects.requireNonNull(domain, "domain must not be null");
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException(
                    "domain must be lower-case letters, digits and '-', starting with a letter, was '" + domain + "'");
        }
        return domain;
    }
}
