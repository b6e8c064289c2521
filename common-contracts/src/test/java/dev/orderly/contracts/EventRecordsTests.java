package dev.orderly.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventRecordsTests {

    private static final UUID ORDER_ID = Events.ORDER_ID;
    private static final List<OrderLine> LINES = List.of(new OrderLine("SKU-1", 1, 100));

    @Test
    void nullFieldsAreRefusedNamingTheField() {
        assertThatNullPointerException()
                .isThrownBy(() -> new OrderCreated(null, "c", "EUR", 100, LINES))
                .withMessage("order_id must not be null");
        assertThatNullPointerException()
                .isThrownBy(() -> new PaymentAuthorized(ORDER_ID, "p", null, 100, "EUR"))
                .withMessage("customer_id must not be null");
        assertThatNullPointerException()
                .isThrownBy(() -> new ShipmentScheduled(ORDER_ID, "s", "DHL", "T1", null))
                .withMessage("estimated_delivery must not be null");
    }

    @Test
    void negativeAmountsAreRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OrderCreated(ORDER_ID, "c", "EUR", -1, LINES))
                .withMessageContaining("total_cents");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PaymentDeclined(ORDER_ID, "no", -5, "EUR"))
                .withMessageContaining("amount_cents");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OrderLine("SKU-1", 1, -1))
                .withMessageContaining("unit_price_cents");
    }

    @Test
    void linesMustBeNonEmptyAndHoldNoNull() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OrderCreated(ORDER_ID, "c", "EUR", 0, List.of()))
                .withMessage("lines must hold at least one element");
        assertThatNullPointerException()
                .isThrownBy(() -> new InventoryReserved(
                        ORDER_ID, "c", "EUR", 0, Arrays.asList(new ReservedLine("SKU-1", 1), null)))
                .withMessage("lines[1] must not be null");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new InventoryRejected(ORDER_ID, "none", List.of()))
                .withMessageContaining("shortages");
    }

    @Test
    void quantitiesMustBePositive() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OrderLine("SKU-1", 0, 100))
                .withMessage("quantity must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> new ReservedLine("SKU-1", -2));
    }

    @Test
    void aShortageHasFewerAvailableThanRequested() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Shortage("SKU-1", 2, 2));
        assertThatIllegalArgumentException().isThrownBy(() -> new Shortage("SKU-1", 2, -1));
        assertThat(new Shortage("SKU-1", 2, 0).available()).isZero();
    }

    @Test
    void currencyMustBeThreeUpperCaseLetters() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PaymentAuthorized(ORDER_ID, "p", "c", 1, "eur"))
                .withMessageContaining("currency");
        assertThatIllegalArgumentException().isThrownBy(() -> new OrderCreated(ORDER_ID, "c", "EURO", 1, LINES));
    }

    @Test
    void textMustBeNonEmptyAndWithinItsLength() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new OrderLine("", 1, 1))
                .withMessage("sku must not be empty");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new PaymentDeclined(ORDER_ID, "x".repeat(256), 1, "EUR"))
                .withMessage("reason must be at most 255 characters, was 256");
    }

    @Test
    void listsAreCopiedAndImmutable() {
        List<OrderLine> lines = new ArrayList<>(LINES);
        OrderCreated created = new OrderCreated(ORDER_ID, "c", "EUR", 100, lines);

        lines.add(new OrderLine("SKU-2", 1, 1));

        assertThat(created.lines()).hasSize(1);
        assertThatThrownBy(() -> created.lines().add(new OrderLine("SKU-3", 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyEventIsVersionOneOfItsDocumentedType() {
        assertThat(Events.all())
                .extracting(EventData::eventType, EventData::eventVersion)
                .map(tuple -> tuple.toList())
                .containsExactly(
                        List.of("order.created", 1),
                        List.of("inventory.reserved", 1),
                        List.of("inventory.rejected", 1),
                        List.of("payment.authorized", 1),
                        List.of("payment.declined", 1),
                        List.of("shipment.scheduled", 1));
    }

    @Test
    void envelopeOfTakesTypeAndVersionFromItsDataAndTimeFromTheClock() {
        Envelope<OrderCreated> envelope = Envelope.of(Events.orderCreated(), "order-api", "corr-1", Events.CLOCK);
        Envelope<OrderCreated> another = Envelope.of(Events.orderCreated(), "order-api", "corr-1", Events.CLOCK);

        assertThat(envelope.eventType()).isEqualTo("order.created");
        assertThat(envelope.eventVersion()).isEqualTo(1);
        assertThat(envelope.occurredAt()).isEqualTo(Instant.parse("2026-03-27T16:00:00Z"));
        assertThat(envelope.eventId()).isNotEqualTo(another.eventId());
    }

    @Test
    void envelopeRefusesATypeOrVersionThatDisagreesWithItsData() {
        Instant now = Instant.parse("2026-03-27T16:00:00Z");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Envelope<>(
                        UUID.randomUUID(), "payment.declined", 1, now, "order-api", "c", Events.orderCreated()))
                .withMessage("envelope says payment.declined v1 but its data is order.created v1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Envelope<>(
                        UUID.randomUUID(), "order.created", 2, now, "order-api", "c", Events.orderCreated()));
    }

    @Test
    void envelopeRefusesAnEmptyProducer() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Envelope.of(Events.orderCreated(), "", "c", Events.CLOCK))
                .withMessage("producer must not be empty");
    }

    @Test
    void namesAreTheDocumentedConstants() {
        assertThat(List.of(
                        EventTypes.ORDER_CREATED,
                        EventTypes.INVENTORY_RESERVED,
                        EventTypes.INVENTORY_REJECTED,
                        EventTypes.PAYMENT_AUTHORIZED,
                        EventTypes.PAYMENT_DECLINED,
                        EventTypes.SHIPMENT_SCHEDULED))
                .containsExactly(
                        "order.created",
                        "inventory.reserved",
                        "inventory.rejected",
                        "payment.authorized",
                        "payment.declined",
                        "shipment.scheduled");
        assertThat(List.of(
                        MessageHeaders.ATTEMPT,
                        MessageHeaders.FAILURE_REASON,
                        MessageHeaders.EXCEPTION,
                        MessageHeaders.ATTEMPTS,
                        MessageHeaders.ORIGINAL_ROUTING_KEY,
                        MessageHeaders.PARKED_AT,
                        MessageHeaders.REPLAYED_AT,
                        MessageHeaders.CAUSE_RETRIES,
                        MessageHeaders.CAUSE_REPLAYED))
                .allSatisfy(header -> assertThat(header).startsWith("orderly-"));
    }
}
