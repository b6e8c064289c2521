package dev.orderly.api;

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
 * order-api's structure: one package per feature ({@code dev.orderly.api.orders}, {@code .inventory}, {@code
 * .backpressure}) and the HTTP edges they share ({@code .web}), around a root package of what they all read (the
 * application, its settings and its clock).
 *
 * <p>Invariants: the feature packages depend on each other without cycles, and the root on none of them; a type is
 * public only if another package needs it; and order-api never depends on another service's code.
 */
class ModularityTests {

    static final String API = "dev.orderly.api";

    static final JavaClasses PRODUCTION = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(API);

    static final JavaClasses WITH_TESTS = new ClassFileImporter().importPackages(API);

    /**
     * Public although no other package of order-api's production code uses them, each with who needs it. Everything
     * else public must be used from another package of order-api, or be package-private.
     */
    static final Set<String> PUBLIC_FOR_OUTSIDE = Set.of(
            // The entry point: Spring Boot's launcher starts it (the exec jar's Start-Class).
            API + ".OrderApiApplication",
            // Bean Validation instantiates it for @CurrencyCode (validatedBy), and its default validator factory
            // only by a public constructor; nested in the annotation type, it is public by the language anyway.
            API + ".web.CurrencyCode$Validator");

    @Test
    void theFeaturePackagesDependOnEachOtherWithoutCycles() {
        slices().matching(API + ".(*)..")
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
                .resideInAPackage(API)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(API + ".*..")
                .check(PRODUCTION);
    }

    @Test
    void aTypeIsPublicOnlyIfAnotherPackageUsesIt() {
        classes()
                .that()
                .resideInAPackage(API + "..")
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
                        .as("%s is a public type of order-api", name)
                        .isTrue());
    }

    @Test
    void orderApiDependsOnNoOtherService() {
        noClasses()
                .that()
                .resideInAPackage(API + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.orderly.worker..", "dev.orderly.relay..")
                .because("services share only common-contracts and common-messaging; the workers and the relay are "
                        + "other services, reached through the outbox and the broker")
                .check(WITH_TESTS);
    }

    private static ArchCondition<JavaClass> beUsedFromAnotherPackageOrListed() {
        return new ArchCondition<>("be used from another package of order-api, or be listed in PUBLIC_FOR_OUTSIDE") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                boolean usedElsewhere = type.getDirectDependenciesToSelf().stream()
                        .map(Dependency::getOriginClass)
                        .anyMatch(origin -> !origin.getPackageName().equals(type.getPackageName()));
                boolean listed = PUBLIC_FOR_OUTSIDE.contains(type.getName());
                events.add(new SimpleConditionEvent(
                        type,
                        usedElsewhere || listed,
                        "%s is public, but no other package of order-api uses it: make it package-private"
                                .formatted(type.getName())));
            }
        };
    }
}
