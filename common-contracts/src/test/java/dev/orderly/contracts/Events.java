package dev.orderly.contracts;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/** Sample events for the tests: one valid payload of every catalogued type, at a fixed time. */
final class Events {

    static final UUID ORDER_ID = UUID.fromString("5f0c6a7e-2b8d-4c1e-9a3f-0d2e4b6c8a10");
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-27T16:00:00Z"), ZoneOffset.UTC);

    private Events() {}

    static OrderCreated orderCreated() {
        return new OrderCreated(
                ORDER_ID,
                "customer-42",
                "EUR",
                2_500,
                List.of(new OrderLine("SKU-1", 2, 1_000), new OrderLine("SKU-2", 1, 500)));
    }

    static InventoryReserved inventoryReserved() {
        return new InventoryReserved(
                ORDER_ID,
                "customer-42",
                "EUR",
                2_500,
                List.of(new ReservedLine("SKU-1", 2), new ReservedLine("SKU-2", 1)));
    }

    static InventoryRejected inventoryRejected() {
        return new InventoryRejected(ORDER_ID, "not enough stock", List.of(new Shortage("SKU-1", 2, 1)));
    }

    static PaymentAuthorized paymentAuthorized() {
        return new PaymentAuthorized(ORDER_ID, "pay_123", "customer-42", 2_500, "EUR");
    }

    static PaymentDeclined paymentDeclined() {
        return new PaymentDeclined(ORDER_ID, "card expired", 2_500, "EUR");
    }

    static ShipmentScheduled shipmentScheduled() {
        return new ShipmentScheduled(ORDER_ID, "shp_9", "DHL", "JD0123456789", LocalDate.of(2026, 4, 1));
    }

    static Stream<EventData> all() {
        return Stream.of(
                orderCreated(),
                inventoryReserved(),
                inventoryRejected(),
                paymentAuthorized(),
                paymentDeclined(),
                shipmentScheduled());
    }

    static <D extends EventData> Envelope<D> envelope(D data) {
        return Envelope.of(data, "order-api", ORDER_ID.toString(), CLOCK);
    }
}
