package dev.orderly.worker.order.orders;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventData;
import dev.orderly.contracts.InventoryRejected;
import dev.orderly.contracts.InventoryReserved;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.PaymentDeclined;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.contracts.Shortage;
import dev.orderly.messaging.consumer.InboundEvent;
import dev.orderly.messaging.consumer.PermanentFailure;
import dev.orderly.messaging.consumer.TransientFailure;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.worker.order.inventory.Reservation;
import dev.orderly.worker.order.inventory.StockReservations;
import dev.orderly.worker.order.orders.OrderStatus.Transition;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Applies each event to its order, inside the runtime's transaction: the guarded state change, the stock it implies,
 * the timeline entry, and the outbox row of the next event.
 *
 * <p>Every handler first locks the order row, then (if it touches stock) the inventory rows in SKU order, so handlers
 * of the same order serialise and no two transactions deadlock; a batch of events applied in one transaction takes all
 * its orders' locks, then all its stock locks, the same way first ({@link #lockBatch}). An event then meets one of
 * four situations:
 *
 * <ul>
 *   <li>the order is in the state the event applies to: the transition happens;
 *   <li>the order is already in the event's target state: it was applied before (a late duplicate), nothing changes;
 *   <li>the order is in an <em>earlier</em> state: a {@code shipment.scheduled} while RESERVED (it overtook its
 *       {@code payment.authorized} inside {@code order.work}, or the payment is in a retry tier) is held and applied
 *       together with the payment; any other such event is a {@link TransientFailure}, retried after a delay rather
 *       than applied out of order or dropped;
 *   <li>the order is in a state the event can no longer apply to (e.g. {@code payment.authorized} for a CANCELLED
 *       order): acknowledged with a timeline note and {@code orderly.order.transitions.skipped}, not parked, since no
 *       retry or replay could ever apply it.
 * </ul>
 *
 * <p>The one truly impossible case, an event for an order that does not exist, is a {@link PermanentFailure}: parked.
 *
 * <p>Which transition goes from which status to which, and in which statuses its event has arrived early, is
 * {@link Transition}'s table; this class decides only what each outcome does.
 *
 * <p>Invariant: a status changes only along the flow's arrows (docs/design.md#the-flow), and stock is held, released
 * or fulfilled exactly once per order.
 */
@Service
class OrderLifecycle {

    static final String PRODUCER = "order-worker";

    private static final Logger log = LoggerFactory.getLogger(OrderLifecycle.class);
    private static final int REASON_LIMIT = 255;

    private final Orders orders;
    private final StockReservations stock;
    private final OutboxWriter outbox;
    private final OrderMetrics metrics;
    private final Clock clock;

    OrderLifecycle(Orders orders, StockReservations stock, OutboxWriter outbox, OrderMetrics metrics, Clock clock) {
        this.orders = orders;
        this.stock = stock;
        this.outbox = outbox;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Before a batch of events is applied in one transaction: locks all its orders (in id order), then all the stock
     * its events will touch (in SKU order: the lines of new orders; what is held for orders being cancelled or shipped,
     * and for orders being paid whose shipment is already held), the locks the handlers below take one event at a
     * time. Two batches sharing orders or SKUs then wait for each other instead of deadlocking. A payment whose order
     * has no held shipment touches no stock and locks none: a batch holds its locks until it commits, so locking
     * more than needed would make batches wait for each other for nothing.
     */
    void lockBatch(List<InboundEvent<?>> events) {
        Set<UUID> orderIds = new TreeSet<>();
        Set<String> skus = new TreeSet<>();
        Set<UUID> settling = new TreeSet<>();
        Set<UUID> paying = new TreeSet<>();
        for (InboundEvent<?> event : events) {
            switch (event.data()) {
                case OrderCreated order -> order.lines().forEach(line -> skus.add(line.sku()));
                case PaymentAuthorized payment -> paying.add(payment.orderId());
                case PaymentDeclined decline -> settling.add(decline.orderId());
                case ShipmentScheduled shipment -> settling.add(shipment.orderId());
                case InventoryRejected rejection -> {}
                case InventoryReserved reserved -> {}
            }
            orderIds.add(orderId(event.data()));
        }
        orders.lockAll(orderIds);
        stock.lockAll(skus, settling, paying);
    }

    private static UUID orderId(EventData data) {
        return switch (data) {
            case OrderCreated order -> order.orderId();
            case InventoryReserved reserved -> reserved.orderId();
            case InventoryRejected rejection -> rejection.orderId();
            case PaymentAuthorized payment -> payment.orderId();
            case PaymentDeclined decline -> decline.orderId();
            case ShipmentScheduled shipment -> shipment.orderId();
        };
    }

    /**
     * {@code order.created}: hold stock for every line, then RESERVED; or REJECTED if any line falls short. An order
     * in any other status than PENDING is noted as not applying, RESERVED and REJECTED included: which of the two moves
     * this event would have made is only known once its stock is reserved.
     */
    void markReserved(OrderCreated order, InboundEvent<?> event) {
        UUID orderId = order.orderId();
        Orders.Locked locked = lock(orderId, event);
        if (locked.status() != Transition.MARK_RESERVED.from()) {
            skip(step(event, null), orderId, locked.status(), Transition.MARK_RESERVED.from());
            return;
        }
        Reservation reservation = stock.reserve(orderId, order.lines());
        switch (reservation) {
            case Reservation.Reserved reserved -> {
                Envelope<InventoryReserved> next = next(
                        new InventoryReserved(
                                orderId, order.customerId(), order.currency(), order.totalCents(), reserved.lines()),
                        event);
                moveAndNote(Transition.MARK_RESERVED, orderId, step(next, event, null));
                outbox.appendCausedBy(next, orderId.toString(), event);
            }
            case Reservation.Rejected rejected -> {
                Envelope<InventoryRejected> next =
                        next(new InventoryRejected(orderId, reason(rejected), rejected.shortages()), event);
                moveAndNote(
                        Transition.MARK_REJECTED,
                        orderId,
                        step(next, event, next.data().reason()));
                outbox.appendCausedBy(next, orderId.toString(), event);
                metrics.completedAfterCommit(
                        Transition.MARK_REJECTED.to(), Duration.between(locked.createdAt(), clock.instant()));
            }
        }
    }

    /** {@code inventory.rejected}: REJECTED (normally already so, set when the rejection was decided). */
    void markRejected(InventoryRejected rejection, InboundEvent<?> event) {
        UUID orderId = rejection.orderId();
        apply(Transition.MARK_REJECTED, lock(orderId, event), orderId, step(event, null));
    }

    /** {@code payment.authorized}: RESERVED → PAID; then SHIPPED at once if the order's shipment arrived first. */
    void markPaid(PaymentAuthorized payment, InboundEvent<?> event) {
        UUID orderId = payment.orderId();
        Orders.Locked locked = lock(orderId, event);
        if (apply(Transition.MARK_PAID, locked, orderId, step(event, "payment " + payment.paymentId()))) {
            Optional<Orders.Step> early = orders.takeHeldShipment(orderId);
            if (early.isPresent()) {
                ship(new Orders.Locked(Transition.MARK_PAID.to(), locked.createdAt()), orderId, early.get());
                metrics.heldShipmentAppliedAfterCommit();
            }
        }
    }

    /** {@code payment.declined}: release the stock, RESERVED → CANCELLED. */
    void markCancelled(PaymentDeclined decline, InboundEvent<?> event) {
        UUID orderId = decline.orderId();
        if (apply(Transition.MARK_CANCELLED, lock(orderId, event), orderId, step(event, decline.reason()))) {
            stock.release(orderId);
        }
    }

    /**
     * {@code shipment.scheduled}: the stock leaves, PAID → SHIPPED. If the order is still RESERVED, the shipment
     * overtook its payment inside {@code order.work}: it is held ({@code early_shipments}) and applied by
     * {@link #markPaid} in the transaction that makes the order PAID, instead of being retried until then.
     */
    void markShipped(ShipmentScheduled shipment, InboundEvent<?> event) {
        UUID orderId = shipment.orderId();
        Orders.Locked locked = lock(orderId, event);
        Orders.Step step = step(event, shipment.carrier() + " " + shipment.trackingNumber());
        if (locked.status() == Transition.MARK_PAID.from()) {
            // Early, like in PENDING, but its payment is on its way (or in a retry tier): held, not retried.
            if (orders.holdShipment(orderId, step)) {
                metrics.shipmentHeldAfterCommit();
                log.debug("{} for RESERVED order {} held until its payment is applied", step.eventType(), orderId);
            } else {
                log.warn(
                        "{} {} for order {}: another shipment is already held for this order; this one is "
                                + "acknowledged without effect",
                        step.eventType(),
                        step.eventId(),
                        orderId);
            }
            return;
        }
        ship(locked, orderId, step);
    }

    private void ship(Orders.Locked locked, UUID orderId, Orders.Step step) {
        if (apply(Transition.MARK_SHIPPED, locked, orderId, step)) {
            stock.fulfil(orderId);
        }
    }

    /**
     * Asks for {@code transition} for an order locked in this transaction, whose status is {@code locked.status()};
     * true if the order moved. See the class comment for the other outcomes.
     */
    private boolean apply(Transition transition, Orders.Locked locked, UUID orderId, Orders.Step step) {
        OrderStatus current = locked.status();
        return switch (transition.in(current)) {
            case ALREADY -> {
                orders.timeline(orderId, step, current, "already " + current);
                yield false;
            }
            case EARLY ->
                throw new TransientFailure("Order " + orderId + " is " + current + " but " + step.eventType()
                        + " applies to a " + transition.from() + " order: the event before it has not been applied "
                        + "yet; retrying");
            case NO_LONGER_APPLIES -> {
                skip(step, orderId, current, transition.from());
                yield false;
            }
            case MOVES -> {
                moveAndNote(transition, orderId, step);
                if (transition.to().isFinal()) {
                    metrics.completedAfterCommit(
                            transition.to(), Duration.between(locked.createdAt(), clock.instant()));
                }
                yield true;
            }
        };
    }

    /** Makes {@code transition} and writes it on the order's timeline as {@code step}. */
    private void moveAndNote(Transition transition, UUID orderId, Orders.Step step) {
        if (!orders.move(orderId, transition, clock.instant())) {
            // Cannot happen while we hold the row lock; if it does, retrying re-reads the state.
            throw new TransientFailure("Order " + orderId + " left " + transition.from() + " while locked");
        }
        orders.timeline(orderId, step, transition.to(), step.detail());
    }

    private static Orders.Step step(InboundEvent<?> event, @Nullable String detail) {
        return step(event.envelope(), event, detail);
    }

    /** {@code envelope}'s step, which handling {@code event} made: with that stage's retries. */
    private static Orders.Step step(Envelope<?> envelope, InboundEvent<?> event, @Nullable String detail) {
        return new Orders.Step(envelope.eventId(), envelope.eventType(), detail, envelope.occurredAt(), event.stage());
    }

    private Orders.Locked lock(UUID orderId, InboundEvent<?> event) {
        return orders.lock(orderId)
                .orElseThrow(() -> new PermanentFailure("No order " + orderId + " exists for "
                        + event.envelope().eventType() + " " + event.envelope().eventId()
                        + "; an order is stored before its first event, so this event is wrong or its order was "
                        + "deleted"));
    }

    private void skip(Orders.Step step, UUID orderId, OrderStatus current, OrderStatus expected) {
        String note = "ignored: the order was " + current + ", " + step.eventType() + " applies to " + expected;
        orders.timeline(orderId, step, current, note);
        metrics.skippedAfterCommit(step.eventType(), current);
        log.warn("{} {} for order {}: {}", step.eventType(), step.eventId(), orderId, note);
    }

    private <D extends EventData> Envelope<D> next(D data, InboundEvent<?> cause) {
        return Envelope.of(data, PRODUCER, cause.envelope().correlationId(), clock);
    }

    private static String reason(Reservation.Rejected rejected) {
        String skus = rejected.shortages().stream().map(Shortage::sku).collect(Collectors.joining(", "));
        String reason = "not enough stock for " + skus;
        return reason.length() <= REASON_LIMIT ? reason : reason.substring(0, REASON_LIMIT - 1) + "…";
    }
}
