package dev.orderly.worker.payment;

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
import dev.orderly.worker.payment.gateway.Authorization;
import dev.orderly.worker.payment.gateway.AuthorizationRequest;
import dev.orderly.worker.payment.gateway.GatewayUnavailableException;
import dev.orderly.worker.payment.gateway.GuardedPaymentGateway;
import dev.orderly.worker.payment.gateway.PaymentGateway;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * payment-worker's structure, checked on its compiled classes: its packages form no cycle, a type is public only when
 * another package or a framework needs it, and it depends on no other service.
 */
class ModularityTests {

    private static final String ROOT = "dev.orderly.worker.payment";

    /** The only public types, each with who needs it public; any other type stays package-private. */
    private static final Map<Class<?>, String> PUBLIC_TYPES = Map.of(
            PaymentWorkerApplication.class, "the JVM: the runnable jar's launcher calls its main method",
            PaymentWorkerProperties.class, "gateway: GatewayConfiguration hands the simulator its settings",
            Authorization.class, "payments: PaymentService records and announces the gateway's answer",
            AuthorizationRequest.class, "payments: PaymentService asks for the charge",
            GuardedPaymentGateway.class,
                    "payments: PaymentService takes the guarded gateway by type, never the bare one",
            PaymentGateway.class, "the provider contract, implemented by whatever replaces the paymentProvider bean",
            GatewayUnavailableException.class, "the provider contract: how a provider signals it is unavailable");

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
