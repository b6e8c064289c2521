package dev.orderly.worker.shipping;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.orderly.worker.shipping.carrier.Booking;
import dev.orderly.worker.shipping.carrier.BookingRequest;
import dev.orderly.worker.shipping.carrier.Carrier;
import dev.orderly.worker.shipping.carrier.CarrierUnavailableException;
import dev.orderly.worker.shipping.carrier.GuardedCarrier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * shipping-worker's structure, checked on its compiled classes: its packages form no cycle, a type is public only when
 * another package or a framework needs it, and it depends on no other service.
 */
class ModularityTests {

    private static final String ROOT = "dev.orderly.worker.shipping";

    /** The only public types, each with who needs it public; any other type stays package-private. */
    private static final Map<Class<?>, String> PUBLIC_TYPES = Map.of(
            ShippingWorkerApplication.class, "the JVM: the runnable jar's launcher calls its main method",
            ShippingWorkerProperties.class, "carrier: CarrierConfiguration hands the simulator its settings",
            Booking.class, "shipments: ShipmentService records and announces the booking",
            BookingRequest.class, "shipments: ShipmentService asks for the booking",
            GuardedCarrier.class, "shipments: ShipmentService takes the guarded carrier by type, never the bare one",
            Carrier.class, "the provider contract, implemented by whatever replaces the carrierProvider bean",
            CarrierUnavailableException.class, "the provider contract: how a carrier signals it is unavailable");

    private final JavaClasses worker = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    @Test
    void packagesFormNoCycle() {
        slices().matching("dev.orderly.worker.(**)").should().beFreeOfCycles().check(worker);
    }

    @Test
    void typesArePackagePrivateUnlessAnotherPackageNeedsThem() {
        Class<?>[] allowed = PUBLIC_TYPES.keySet().toArray(Class<?>[]::new);
        noClasses()
                .that()
                .areTopLevelClasses()
                .and(not(belongToAnyOf(allowed)))
                .should()
                .bePublic()
                .because("a type is public only when another package or a framework needs it (PUBLIC_TYPES)")
                .check(worker);
        classes()
                .that(belongToAnyOf(allowed))
                .and()
                .areTopLevelClasses()
                .should()
                .bePublic()
                .because("PUBLIC_TYPES lists only types that are public")
                .check(worker);
    }

    @Test
    void dependsOnNoOtherWorkerNorOrderApiNorTheRelay() {
        noClasses()
                .should()
                .dependOnClassesThat(resideInAPackage("dev.orderly.worker..")
                        .and(resideOutsideOfPackage(ROOT + ".."))
                        .or(resideInAnyPackage("dev.orderly.api..", "dev.orderly.relay..")))
                .because("services share only common-contracts and common-messaging")
                .check(worker);
    }
}
