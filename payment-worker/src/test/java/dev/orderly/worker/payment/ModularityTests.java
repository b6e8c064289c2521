package dev.orderly.worker.payment;

import dev.orderly.testsupport.ServiceModularityTests;
import java.util.Map;

/**
 * payment-worker's structure, by the rules every service keeps ({@link ServiceModularityTests}): its feature packages form no
 * cycle and its root depends on none of them, a type is public only when another package or the launcher needs it,
 * and it depends on no other service.
 */
class ModularityTests extends ServiceModularityTests {

    ModularityTests() {
        super(
                "payment-worker",
                "dev.orderly.worker.payment",
                Map.of(
                        "dev.orderly.worker.payment.PaymentWorkerApplication",
                        "the JVM: the runnable jar's launcher calls its main method",
                        "dev.orderly.worker.payment.gateway.PaymentGateway",
                        "the provider contract, implemented by whatever replaces the paymentProvider bean",
                        "dev.orderly.worker.payment.gateway.GatewayUnavailableException",
                        "the provider contract: how a provider signals it is unavailable"));
    }
}
