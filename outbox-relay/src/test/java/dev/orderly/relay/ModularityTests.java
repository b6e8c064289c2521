package dev.orderly.relay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The relay's structure: one package per feature ({@code dev.orderly.relay.publishing}, {@code .lease}, {@code
 * .routes}, ...) around a root package of what they all share (the properties and the dedicated connections).
 *
 * <p>Invariants: the feature packages depend on each other without cycles, and the root on none of them; a type is
 * public only if another package needs it; and the relay never depends on another service's code (order-api's jar is
 * on the test classpath for its migrations only).
 */
class ModularityTests {

    static final String RELAY = "dev.orderly.relay";

    static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(RELAY);

    static final JavaClasses WITH_TESTS = new ClassFileImporter().importPackages(RELAY);

    /**
     * Public although no other package of the relay's production code uses them, each with who needs it. Everything
     * else public must be used from another package of the relay, or be package-private.
     */
    static final Set<String> PUBLIC_FOR_OUTSIDE = Set.of(
            // The entry point: Spring Boot's launcher starts it (the exec jar's Start-Class).
            RELAY + ".OutboxRelayApplication",
            // The tests in dev.orderly.relay (FailoverIntegrationTests, GracefulShutdownIntegrationTests) find a
            // table's lease holder in pg_locks by this key, as docs/outbox-relay.md tells operators to.
            RELAY + ".lease.LeaseKey",
            // The tests in dev.orderly.relay (ReturnedPublishIntegrationTests) read the failing row from its details.
            RELAY + ".health.RelayHealthIndicator");

    @Test
    void theFeaturePackagesDependOnEachOtherWithoutCycles() {
        slices().matching(RELAY + ".(*)..")
                .namingSlices("$1")
                .should()
                .beFreeOfCycles()
                .check(PRODUCTION);
    }

    @Test
    void theSharedRootDependsOnNoFeature() {
        // The root is not a slice of the cycle rule: without this, a cycle through it would go unnoticed.
        noClasses()
                .that()
                .resideInAPackage(RELAY)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(RELAY + ".*..")
                .check(PRODUCTION);
    }

    @Test
    void aTypeIsPublicOnlyIfAnotherPackageUsesIt() {
        classes()
                .that()
                .resideInAPackage(RELAY + "..")
                .and()
                .arePublic()
                .should(beUsedFromAnotherPackageOrListed())
                .check(PRODUCTION);
    }

    @Test
    void everyListedPublicTypeExistsAndIsPublic() {
        // A renamed or narrowed type must leave the list, or the list would allow a type nobody meant.
        assertThat(PUBLIC_FOR_OUTSIDE)
                .allSatisfy(name -> assertThat(PRODUCTION.contain(name)
                                && PRODUCTION.get(name).getModifiers().contains(JavaModifier.PUBLIC))
                        .as("%s is a public type of the relay", name)
                        .isTrue());
    }

    @Test
    void theRelayDependsOnNoOtherService() {
        noClasses()
                .that()
                .resideInAPackage(RELAY + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.orderly.api..", "dev.orderly.worker..")
                .because("the relay only reads outbox tables and publishes; order-api and the workers are other "
                        + "services (order-api's jar is on the test classpath for its migrations only)")
                .check(WITH_TESTS);
    }

    private static ArchCondition<JavaClass> beUsedFromAnotherPackageOrListed() {
        return new ArchCondition<>("be used from another package of the relay, or be listed in PUBLIC_FOR_OUTSIDE") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                boolean usedElsewhere = type.getDirectDependenciesToSelf().stream()
                        .map(Dependency::getOriginClass)
                        .anyMatch(origin -> !origin.getPackageName().equals(type.getPackageName()));
                boolean listed = PUBLIC_FOR_OUTSIDE.contains(type.getName());
                events.add(new SimpleConditionEvent(
                        type,
                        usedElsewhere || listed,
                        "%s is public, but no other package of the relay uses it: make it package-private"
                                .formatted(type.getName())));
            }
        };
    }
}
