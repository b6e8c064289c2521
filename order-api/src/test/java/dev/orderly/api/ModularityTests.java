package dev.orderly.api;

import dev.orderly.testsupport.ServiceModularityTests;
import java.util.Map;

/**
 * order-api's structure, by the rules every service keeps ({@link ServiceModularityTests}): one package per feature
 * ({@code orders}, {@code inventory}, {@code backpressure}) and the HTTP edges they share ({@code web}), around a root
 * package of what they all read (the application, its settings and its clock), the features without cycles and the
 * root depending on none of them; a type public only if another package needs it; and no dependency on another
 * service's code.
 */
class ModularityTests extends ServiceModularityTests {

    ModularityTests() {
        super(
                "order-api",
                "dev.orderly.api",
                Map.of(
                        "dev.orderly.api.OrderApiApplication",
                        "the JVM: the runnable jar's launcher calls its main method",
                        "dev.orderly.api.web.CurrencyCode$Validator",
                        "Bean Validation instantiates it for @CurrencyCode (validatedBy), by a public constructor only; nested in the annotation type, it is public by the language anyway"));
    }
}
