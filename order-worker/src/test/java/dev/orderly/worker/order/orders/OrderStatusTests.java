package dev.orderly.worker.order.orders;

import static dev.orderly.worker.order.orders.OrderStatus.CANCELLED;
import static dev.orderly.worker.order.orders.OrderStatus.Outcome.ALREADY;
import static dev.orderly.worker.order.orders.OrderStatus.Outcome.EARLY;
import static dev.orderly.worker.order.orders.OrderStatus.Outcome.MOVES;
import static dev.orderly.worker.order.orders.OrderStatus.Outcome.NO_LONGER_APPLIES;
import static dev.orderly.worker.order.orders.OrderStatus.PAID;
import static dev.orderly.worker.order.orders.OrderStatus.PENDING;
import static dev.orderly.worker.order.orders.OrderStatus.REJECTED;
import static dev.orderly.worker.order.orders.OrderStatus.RESERVED;
import static dev.orderly.worker.order.orders.OrderStatus.SHIPPED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.worker.order.orders.OrderStatus.Outcome;
import dev.orderly.worker.order.orders.OrderStatus.Transition;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The transition table on its own, without a broker or a database: each move's arrow, what every other status makes
 * of it, and which statuses are final.
 */
class OrderStatusTests {

    @Test
    void theMovesAreTheFlowsArrows() {
        assertThat(Arrays.stream(Transition.values())
                        .map(transition -> transition.from() + " → " + transition.to())
                        .toList())
                .containsExactly(
                        "PENDING → RESERVED",
                        "PENDING → REJECTED",
                        "RESERVED → PAID",
                        "RESERVED → CANCELLED",
                        "PAID → SHIPPED");
    }

    @Test
    void markReservedMovesOnlyAPendingOrder() {
        assertThat(outcomes(Transition.MARK_RESERVED))
                .containsExactlyEntriesOf(table(
                        MOVES, ALREADY, NO_LONGER_APPLIES, NO_LONGER_APPLIES, NO_LONGER_APPLIES, NO_LONGER_APPLIES));
    }

    @Test
    void markRejectedMovesOnlyAPendingOrder() {
        assertThat(outcomes(Transition.MARK_REJECTED))
                .containsExactlyEntriesOf(table(
                        MOVES, NO_LONGER_APPLIES, NO_LONGER_APPLIES, NO_LONGER_APPLIES, ALREADY, NO_LONGER_APPLIES));
    }

    @Test
    void markPaidMovesAReservedOrderAndIsEarlyForAPendingOne() {
        assertThat(outcomes(Transition.MARK_PAID))
                .containsExactlyEntriesOf(
                        table(EARLY, MOVES, ALREADY, NO_LONGER_APPLIES, NO_LONGER_APPLIES, NO_LONGER_APPLIES));
    }

    @Test
    void markCancelledMovesAReservedOrderAndIsEarlyForAPendingOne() {
        assertThat(outcomes(Transition.MARK_CANCELLED))
                .containsExactlyEntriesOf(
                        table(EARLY, MOVES, NO_LONGER_APPLIES, NO_LONGER_APPLIES, NO_LONGER_APPLIES, ALREADY));
    }

    @Test
    void markShippedMovesAPaidOrderAndIsEarlyForAPendingOrReservedOne() {
        assertThat(outcomes(Transition.MARK_SHIPPED))
                .containsExactlyEntriesOf(table(EARLY, EARLY, MOVES, ALREADY, NO_LONGER_APPLIES, NO_LONGER_APPLIES));
    }

    @Test
    void shippedRejectedAndCancelledAreFinalAndNothingLeavesThem() {
        assertThat(Arrays.stream(OrderStatus.values()).filter(OrderStatus::isFinal))
                .containsExactly(SHIPPED, REJECTED, CANCELLED);
        for (Transition transition : Transition.values()) {
            assertThat(transition.from().isFinal())
                    .as("%s leaves a final status", transition)
                    .isFalse();
            for (OrderStatus status : OrderStatus.values()) {
                if (status.isFinal() && status != transition.to()) {
                    assertThat(transition.in(status))
                            .as("%s in %s", transition, status)
                            .isEqualTo(NO_LONGER_APPLIES);
                }
            }
        }
    }

    private static Map<OrderStatus, Outcome> outcomes(Transition transition) {
        return Arrays.stream(OrderStatus.values())
                .collect(Collectors.toMap(
                        status -> status, transition::in, (a, b) -> a, () -> new EnumMap<>(OrderStatus.class)));
    }

    /** The outcomes in the order PENDING, RESERVED, PAID, SHIPPED, REJECTED, CANCELLED. */
    private static Map<OrderStatus, Outcome> table(
            Outcome pending, Outcome reserved, Outcome paid, Outcome shipped, Outcome rejected, Outcome cancelled) {
        Map<OrderStatus, Outcome> table = new EnumMap<>(OrderStatus.class);
        table.put(PENDING, pending);
        table.put(RESERVED, reserved);
        table.put(PAID, paid);
        table.put(SHIPPED, shipped);
        table.put(REJECTED, rejected);
        table.put(CANCELLED, cancelled);
        return table;
    }
}
