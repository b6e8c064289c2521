package dev.orderly.api.orders;

import dev.orderly.api.OrderApiProperties;
import dev.orderly.api.backpressure.OutboxBacklog;
import dev.orderly.api.security.Caller;
import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.messaging.outbox.OutboxWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Places and reads orders.
 *
 * <p>Invariant: an accepted order, its lines, its first timeline entry, its {@code order.created} outbox row and
 * (when given) its idempotency key are committed in one transaction, or none of them is. The lines are priced at the
 * catalogue's prices read in that same transaction ({@link Pricing}); the order, its answer and its event carry those
 * prices and their total, never a price of the client's. The order is the customer's its caller's access token names,
 * never a body's; an idempotency key is its caller's own, so one caller's key never answers with another's order;
 * and a caller reads only its own orders unless it may read all ({@link Caller}). Nothing else publishes the event: the
 * relay does, from the outbox row, after this transaction commits.
 */
@Service
class OrderService {

    static final String PRODUCER = "order-api";

    private final OrderRepository orders;
    private final Pricing pricing;
    private final IdempotencyKeys idempotencyKeys;
    private final OutboxWriter outbox;
    private final OutboxBacklog backlog;
    private final TransactionTemplate transaction;
    private final Clock clock;
    private final OrderApiProperties.Idempotency idempotency;
    private final Counter accepted;
    private final Counter replayed;

    OrderService(
            OrderRepository orders,
            Pricing pricing,
            IdempotencyKeys idempotencyKeys,
            OutboxWriter outbox,
            OutboxBacklog backlog,
            TransactionTemplate transaction,
            Clock clock,
            OrderApiProperties properties,
            MeterRegistry meters) {
        this.orders = orders;
        this.pricing = pricing;
        this.idempotencyKeys = idempotencyKeys;
        this.outbox = outbox;
        this.backlog = backlog;
        this.transaction = transaction;
        this.clock = clock;
        this.idempotency = properties.idempotency();
        this.accepted = Counter.builder("orderly.orders.accepted")
                .description("Orders accepted by POST /orders and stored with their order.created outbox row")
                .register(meters);
        this.replayed = Counter.builder("orderly.orders.idempotent.replays")
                .description("POST /orders answered from an Idempotency-Key's first answer, creating nothing")
                .register(meters);
    }

    /** What placing an order came to: the order's answer, and whether it is the first answer replayed. */
    record Placement(OrderAccepted order, boolean replayed) {}

    /**
     * Places a new order for {@code customerId}, or, for a key {@code idempotencyKey} that customer already used,
     * returns the answer it first got.
     *
     * @throws SkusNotForSaleException if a line's SKU is unknown or has no price; nothing is stored
     * @throws CurrencyMismatchException if a line's SKU is priced in another currency; nothing is stored
     * @throws PriceMismatchException if a line sent another unit price than the catalogue's; nothing is stored
     * @throws IdempotencyKeyReusedException if the key first answered a different request
     * @throws dev.orderly.api.backpressure.BackpressureException if the outbox backlog is over its limits
     * @throws CommitOutcomeUnknownException if the transaction failed while committing: it may have been stored
     */
    Placement place(
            PlaceOrderRequest request,
            String customerId,
            @Nullable String idempotencyKey,
            @Nullable String traceparent) {
        byte[] requestHash = idempotencyKey == null ? new byte[0] : idempotencyKeys.hash(request);
        if (idempotencyKey != null) {
            // A retry of an order already taken is answered even under backpressure: it adds no work.
            Optional<Placement> previous = replay(customerId, idempotencyKey, requestHash);
            if (previous.isPresent()) {
                return previous.get();
            }
        }
        backlog.requireCapacity();
        // Set once every statement succeeded: a failure after that can only be the commit, whose outcome is unknown.
        AtomicReference<@Nullable Placement> written = new AtomicReference<>();
        Placement placement;
        try {
            placement = transaction.execute(status -> {
                Placement placed = placeInTransaction(request, customerId, idempotencyKey, requestHash, traceparent);
                written.set(placed);
                return placed;
            });
        } catch (RuntimeException e) {
            Placement uncertain = written.get();
            if (uncertain != null && !uncertain.replayed()) {
                throw new CommitOutcomeUnknownException(uncertain.order().orderId(), e);
            }
            throw e;
        }
        if (placement == null) {
            throw new IllegalStateException("The order transaction returned no result");
        }
        if (!placement.replayed()) {
            accepted.increment();
        }
        return placement;
    }

    private Placement placeInTransaction(
            PlaceOrderRequest request,
            String customerId,
            @Nullable String idempotencyKey,
            byte[] requestHash,
            @Nullable String traceparent) {
        // PostgreSQL keeps microseconds: truncate so that the answer equals what GET later reads back.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        UUID orderId = UUID.randomUUID();
        // The price at acceptance: read here, so that the order is stored at the prices it was checked against.
        List<OrderLine> lines = pricing.price(request);
        OrderAccepted answer = new OrderAccepted(
                orderId, OrderStatus.PENDING, customerId, request.currency(), Pricing.totalCents(lines), now);

        if (idempotencyKey != null
                && !idempotencyKeys.claim(
                        customerId, idempotencyKey, requestHash, answer, now.plus(idempotency.retention()))) {
            // Another request of this customer holding this key committed first (we waited for it on the key's row).
            return replay(customerId, idempotencyKey, requestHash)
                    .orElseThrow(() -> new IllegalStateException(
                            "Idempotency-Key was taken and vanished within one transaction; retry the request"));
        }

        OrderCreated event = new OrderCreated(orderId, customerId, request.currency(), answer.totalCents(), lines);
        Envelope<OrderCreated> envelope = new Envelope<>(
                UUID.randomUUID(), event.eventType(), event.eventVersion(), now, PRODUCER, orderId.toString(), event);
        orders.insertPending(answer, lines, envelope.eventId(), envelope.eventType());
        outbox.append(envelope, orderId.toString(), traceparent);
        return new Placement(answer, false);
    }

    private Optional<Placement> replay(String customerId, String idempotencyKey, byte[] requestHash) {
        return idempotencyKeys.find(customerId, idempotencyKey).map(remembered -> {
            if (!remembered.answers(requestHash)) {
                throw new IdempotencyKeyReusedException(remembered.answer().orderId());
            }
            replayed.increment();
            return new Placement(remembered.answer(), true);
        });
    }

    /**
     * The order with its lines and timeline, if {@code caller} may read it.
     *
     * @throws OrderNotFoundException if there is no such order, or it is another customer's and the caller may not read
     *     all: the two answers are the same, so that a caller learns nothing of others' orders, not even that they
     *     exist
     */
    OrderView get(UUID orderId, Caller caller) {
        return orders.find(orderId)
                .filter(order -> caller.mayRead(order.customerId()))
                .orElseThrow(() -> new OrderNotFoundException(orderId));
    }

    /**
     * The customer's latest orders, newest first: the caller's own, or any customer's with {@code orders:read-all}.
     *
     * @param customerId whose; null or blank for the caller's own
     * @throws CustomerOrdersRefusedException if they are another customer's and the caller may not read them
     */
    CustomerOrders latestOf(@Nullable String customerId, Caller caller, int limit) {
        String customer = customerId == null || customerId.isBlank() ? caller.customerId() : customerId;
        if (!caller.mayRead(customer)) {
            throw new CustomerOrdersRefusedException(caller.customerId());
        }
        return new CustomerOrders(customer, orders.latestOf(customer, limit));
    }

    /** Deletes one batch of expired idempotency keys; scheduled by the application's configuration. */
    int purgeExpiredIdempotencyKeys() {
        return idempotencyKeys.purgeExpired(idempotency.purgeBatchSize());
    }
}
