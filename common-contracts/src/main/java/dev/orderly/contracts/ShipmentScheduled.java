package dev.orderly.contracts;

import java.time.LocalDate;
import java.util.UUID;

/**
 * {@value EventTypes#SHIPMENT_SCHEDULED} v1: a parcel was booked for an order, which is now SHIPPED.
 *
 * <p>Invariant: every field is present and the shipment id, carrier and tracking number are 1 to 64
 * characters.
 */
public record ShipmentScheduled(
        UUID orderId, String shipmentId, String carrier, String trackingNumber, LocalDate estimatedDelivery)
        implements EventData {

    public ShipmentScheduled {
        Checks.notNull(orderId, "order_id");
        Checks.text(shipmentId, "shipment_id", Checks.ID_MAX_LENGTH);
        Checks.text(carrier, "carrier", Checks.ID_MAX_LENGTH);
        Checks.text(trackingNumber, "tracking_number", Checks.ID_MAX_LENGTH);
        Checks.notNull(estimatedDelivery, "estimated_delivery");
    }

    @Override
    public String eventType() {
        return EventTypes.SHIPMENT_SCHEDULED;
    }

    @Override
    public int eventVersion() {
        return 1;
    }
}
