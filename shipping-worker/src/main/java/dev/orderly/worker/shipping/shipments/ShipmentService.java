package dev.orderly.worker.shipping.shipments;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.PaymentAuthorized;
import dev.orderly.contracts.ShipmentScheduled;
import dev.orderly.messaging.consumer.InboundEvent;
import dev.orderly.messaging.consumer.MessagingProperties;
import dev.orderly.messaging.outbox.OutboxWriter;
import dev.orderly.messaging.resilience.CallsAhead;
import dev.orderly.worker.shipping.carrier.Booking;
import dev.orderly.worker.shipping.carrier.BookingRequest;
import dev.orderly.worker.shipping.carrier.GuardedCarrier;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Books a paid order's parcel and announces it, inside the runtime's transaction: the carrier call, the
 * {@code shipments} row and the outbox row of {@code shipment.scheduled}.
 *
 * <p>Invariant: the carrier is asked with the order id as idempotency key, so a redelivery after a crash between the
 * booking and the commit gets the same booking, never a second parcel; an order gets one {@code shipments} row and
 * one announcement.
 */
@Service
class ShipmentService implements AutoCloseable {

    static final String PRODUCER = "shipping-worker";

    private static final Logger log = LoggerFactory.getLogger(ShipmentService.class);

    private final CallsAhead<BookingRequest, Booking> bookings;
    private final JdbcClient jdbc;
    private final OutboxWriter outbox;
    private final Clock clock;

    ShipmentService(
            GuardedCarrier carrier, JdbcClient jdbc, OutboxWriter outbox, Clock clock, MessagingProperties messaging) {
        this.bookings = new CallsAhead<>(carrier::book, messaging.listener().callsAhead());
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.clock = clock;
    }

    /**
     * Before a batch's handlers: books every order's parcel of the batch at once, each handler then waiting for its
     * own answer ({@link CallsAhead}) instead of one call after the other.
     */
    void bookAhead(List<InboundEvent<?>> events) {
        bookings.start(events.stream()
                .map(InboundEvent::data)
                .filter(PaymentAuthorized.class::isInstance)
                .map(data -> request((PaymentAuthorized) data))
                .toList());
    }

    /** {@code payment.authorized}: book the order's parcel and announce it. */
    void book(PaymentAuthorized payment, InboundEvent<?> event) {
        UUID orderId = payment.orderId();
        Booking booking = bookings.get(request(payment));
        int stored = jdbc.sql("""
                        INSERT INTO shipments (order_id, shipment_id, carrier, tracking_number, estimated_delivery)
                        VALUES (:orderId, :shipmentId, :carrier, :tracking, :delivery)
                        ON CONFLICT (order_id) DO NOTHING
                        """)
                .param("orderId", orderId)
                .param("shipmentId", booking.shipmentId())
                .param("carrier", booking.carrier())
                .param("tracking", booking.trackingNumber())
                .param("delivery", booking.estimatedDelivery())
                .update();
        if (stored == 0) {
            log.warn(
                    "Order {} already has a shipment; {} {} changes nothing",
                    orderId,
                    event.envelope().eventType(),
                    event.envelope().eventId());
            return;
        }
        Envelope<ShipmentScheduled> next = Envelope.of(
                new ShipmentScheduled(
                        orderId,
                        booking.shipmentId(),
                        booking.carrier(),
                        booking.trackingNumber(),
                        booking.estimatedDelivery()),
                PRODUCER,
                event.envelope().correlationId(),
                clock);
        outbox.appendCausedBy(next, orderId.toString(), event);
    }

    private static BookingRequest request(PaymentAuthorized payment) {
        return new BookingRequest(payment.orderId().toString(), payment.customerId());
    }

    @Override
    public void close() {
        bookings.close();
    }
}
