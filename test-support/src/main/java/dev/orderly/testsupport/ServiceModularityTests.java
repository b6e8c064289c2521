package dev.orderly.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The structure every service keeps, checked on its compiled classes by its {@code ModularityTests}, which extends this: one package
 * per feature around a root package of what they all share (the application, its settings), the features depending on
 * each other without cycles and the root on none of them; a type public only if another package of the service uses
 * it, or it is listed with who else needs it; and no dependency on another service's code, which is reached through
 * the outbox and the broker only.
 *
 * <p>One set of rules for the five services, so that they cannot drift apart; what differs between them (the root
 * package, the types public for the outside) is each subclass's to say.
 *
 * <p>One instance for all the rules ({@code PER_CLASS}): the constructor imports the service's classes twice, and an
 * import scans the whole test classpath, a second or more each; once per rule, that was ten imports per service.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServiceModularityTests {

    /** The root package of each service. */
    private static final List<String> SERVICES = List.of(
            "dev.orderly.api",
            "dev.orderly.relay",
            "dev.orderly.worker.order",
            "dev.orderly.worker.payment",
            "dev.orderly.worker.shipping");

    private final String name;
    private final String root;
    private final Map<String, String> publicForOutside;
    private final JavaClasses production;
    private final JavaClasses withTests;

    /**
     * @param name the service, as the failure messages call it
     * @param root its root package, one of the five services'
     * @param publicForOutside the fully qualified types that are public although no other package of the service
     *     uses them, each with who needs it (the launcher, a framework, a test in another package)
     */
    protected ServiceModularityTests(String name, String root, Map<String, String> publicForOutside) {
        if (!SERVICES.contains(root)) {
            throw new IllegalArgumentException(root + " is not the root package of a service: " + SERVICES);
        }
        this.name = name;
        this.root = root;
        this.publicForOutside = Map.copyOf(publicForOutside);
        this.production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
        this.withTests = new ClassFileImporter().importPackages(root);
    }

    /** The feature packages (the root's sub-packages) depend on each other without cycles. */
    @Test
    protected void theFeaturePackagesDependOnEachOtherWithoutCycles() {
        slices().matching(root + ".(*)..")
                .namingSlices("$1")
                .should()
                .beFreeOfCycles()
                .check(production);
    }

    /** The root package depends on no feature package. */
    @Test
    protected void theSharedRootDependsOnNoFeature() {
        // The root is not a slice of the cycle rule: without this, a cycle through it would go unnoticed.
        noClasses()
                .that()
                .resideInAPackage(root)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(root + ".*..")
                .check(production);
    }

    /** A type is public only if another package of the service uses it, or it is listed. */
    @Test
    protected void aTypeIsPublicOnlyIfAnotherPackageUsesIt() {
        classes()
                .that()
                .resideInAPackage(root + "..")
                .and()
                .arePublic()
                .should(beUsedFromAnotherPackageOrListed())
                .check(production);
    }

    /** Every listed type exists and is public: a renamed or narrowed type must leave the list. */
    @Test
    protected void everyListedPublicTypeExistsAndIsPublic() {
        List<String> notPublic = publicForOutside.keySet().stream()
                .filter(type -> !(production.contain(type)
                        && production.get(type).getModifiers().contains(JavaModifier.PUBLIC)))
                .sorted()
                .toList();
        if (!notPublic.isEmpty()) {
            throw new AssertionError("listed as public for outside, but not a public type of " + name
                    + " (renamed or narrowed: take it off the list): " + notPublic);
        }
    }

    /** Neither the service's code nor its tests depend on another service's code. */
    @Test
    protected void dependsOnNoOtherService() {
        String[] others = SERVICES.stream()
                .filter(other -> !other.equals(root))
                .map(other -> other + "..")
                .toArray(String[]::new);
        noClasses()
                .that()
                .resideInAPackage(root + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(others)
                .because("services share only common-contracts and common-messaging, and reach each other through the"
                        + " outbox and the broker")
                .check(withTests);
    }

    private ArchCondition<JavaClass> beUsedFromAnotherPackageOrListed() {
        return new ArchCondition<>("be used from another package of " + name + ", or be listed as public for outside") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                boolean usedElsewhere = type.getDirectDependenciesToSelf().stream()
                        .map(Dependency::getOriginClass)
                        .anyMatch(origin -> !origin.getPackageName().equals(type.getPackageName()));
                boolean listed = publicForOutside.containsKey(type.getName());
                events.add(new SimpleConditionEvent(
                        type,
                        usedElsewhere || listed,
                        "%s is public, but no other package of %s uses it: make it package-private"
                                .formatted(type.getName(), name)));
            }
        };
    }
}
