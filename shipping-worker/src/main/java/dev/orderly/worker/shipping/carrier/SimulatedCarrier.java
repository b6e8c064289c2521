package dev.orderly.worker.shipping.carrier;

import dev.orderly.worker.shipping.ShippingWorkerProperties;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The built-in carrier: configurable latency and transient-failure rate, delivery a configured number of days after
 * booking.
 *
 * <p>It stands for an external system, so its ledger ({@code shipping.carrier_bookings}) is written in a transaction of
 * its own that commits whatever happens to the worker's: a worker that crashes after the booking and before its own
 * commit finds the booking there when the event is redelivered.
 *
 * <p>Invariant: one ledger row per idempotency key, written by the first request; later requests for the key return
 * that booking (and only count themselves in {@code requests}).
 */
class SimulatedCarrier implements Carrier {

    private final JdbcClient jdbc;
    private final TransactionTemplate ownTransaction;
    private final ShippingWorkerProperties.Simulator settings;
    private final Clock clock;

    SimulatedCarrier(
            JdbcClient jdbc,
            PlatformTransactionManager transactions,
            ShippingWorkerProperties.Simulator settings,
            Clock clock) {
        this.jdbc = jdbc;
        this.ownTransaction = new TransactionTemplate(transactions);
        this.ownTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public Booking book(BookingRequest request) {
        settings.beforeCall("carrier", CarrierUnavailableException::new);
        String shipmentId = "shp-" + UUID.randomUUID();
        return ownTransaction.execute(status -> jdbc.sql("""
                        INSERT INTO carrier_bookings (idempotency_key, shipment_id, carrier, tracking_number,
                                                      estimated_delivery)
                        VALUES (:key, :shipmentId, :carrier, :tracking, :delivery)
                        ON CONFLICT (idempotency_key) DO UPDATE SET requests = carrier_bookings.requests + 1
                        RETURNING shipment_id, carrier, tracking_number, estimated_delivery
                        """)
                .param("key", request.idempotencyKey())
                .param("shipmentId", shipmentId)
                .param("carrier", settings.carrier())
                .param("tracking", shipmentId.substring(4, 16).toUpperCase(Locale.ROOT))
                .param("delivery", LocalDate.now(clock.withZone(ZoneOffset.UTC)).plusDays(settings.deliveryDays()))
                .query((rs, n) -> new Booking(
                        rs.getString("shipment_id"),
                        rs.getString("carrier"),
                        rs.getString("tracking_number"),
                        rs.getObject("estimated_delivery", LocalDate.class)))
                .single());
    }
}
