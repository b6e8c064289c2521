package dev.orderly.worker.order;

import dev.orderly.testsupport.ServiceModularityTests;
import java.util.Map;

/**
 * order-worker's structure, by the rules every service keeps ({@link ServiceModularityTests}): its feature packages form no
 * cycle and its root depends on none of them, a type is public only when another package or the launcher needs it,
 * and it depends on no other service.
 */
class ModularityTests extends ServiceModularityTests {

    ModularityTests() {
        super(
                "order-worker",
                "dev.orderly.worker.order",
                Map.of(
                        "dev.orderly.worker.order.OrderWorkerApplication",
                        "the JVM: the runnable jar's launcher calls its main method",
                        "dev.orderly.worker.order.inventory.Reservation",
                        "orders: OrderLifecycle decides on what a reservation came to (through StockReservations' results, which ArchUnit does not count as a use)"));
    }
}
