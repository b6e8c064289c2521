package dev.orderly.worker.shipping;

import dev.orderly.testsupport.ServiceModularityTests;
import java.util.Map;

/**
 * shipping-worker's structure, by the rules every service keeps ({@link ServiceModularityTests}): its feature packages form no
 * cycle and its root depends on none of them, a type is public only when another package or the launcher needs it,
 * and it depends on no other service.
 */
class ModularityTests extends ServiceModularityTests {

    ModularityTests() {
        super(
                "shipping-worker",
                "dev.orderly.worker.shipping",
                Map.of(
                        "dev.orderly.worker.shipping.ShippingWorkerApplication",
                        "the JVM: the runnable jar's launcher calls its main method",
                        "dev.orderly.worker.shipping.carrier.Carrier",
                        "the provider contract, implemented by whatever replaces the carrierProvider bean",
                        "dev.orderly.worker.shipping.carrier.CarrierUnavailableException",
                        "the provider contract: how a carrier signals it is unavailable"));
    }
}
