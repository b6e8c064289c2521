package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.DelegatingSmartContextLoader;

/**
 * Which test classes {@link RealInfrastructure} customizes and how it refuses roles bootstrap.sql does not create,
 * checked without starting any server.
 */
class RealInfrastructureContextCustomizerTests {

    private final RealInfrastructureContextCustomizerFactory factory = new RealInfrastructureContextCustomizerFactory();

    @Test
    void onlyTestClassesCarryingTheAnnotationGetTheCustomizer() {
        assertThat(this.factory.createContextCustomizer(Annotated.class, List.of()))
                .isInstanceOf(RealInfrastructureContextCustomizer.class);
        assertThat(this.factory.createContextCustomizer(InheritsAnnotation.class, List.of()))
                .isInstanceOf(RealInfrastructureContextCustomizer.class);
        assertThat(this.factory.createContextCustomizer(Annotated.Nested.class, List.of()))
                .isInstanceOf(RealInfrastructureContextCustomizer.class);
        assertThat(this.factory.createContextCustomizer(Plain.class, List.of())).isNull();
    }

    @Test
    void customizersAreEqualSoSpringCachesTheirContexts() {
        ContextCustomizer one = this.factory.createContextCustomizer(Annotated.class, List.of());
        ContextCustomizer other = this.factory.createContextCustomizer(InheritsAnnotation.class, List.of());
        assertThat(one).isEqualTo(other).hasSameHashCodeAs(other).isNotEqualTo(new Object());
    }

    @Test
    void aContextWithoutADatasourceUsernameFailsNamingTheRoles() {
        assertThatIllegalStateException()
                .isThrownBy(() -> customize(Map.of()))
                .withMessageContaining("needs spring.datasource.username")
                .withMessageContaining(Annotated.class.getName())
                .withMessageContaining("orderly_api");
    }

    @Test
    void aDatasourceUsernameThatIsNoBootstrapRoleIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() -> customize(Map.of("spring.datasource.username", "postgres")))
                .withMessageContaining("spring.datasource.username=postgres")
                .withMessageContaining("not a role bootstrap.sql creates");
    }

    @Test
    void aFlywayUserThatIsNoBootstrapRoleIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() ->
                        customize(Map.of("spring.datasource.username", "orderly_api", "spring.flyway.user", "flyway")))
                .withMessageContaining("spring.flyway.user=flyway")
                .withMessageContaining("not a role bootstrap.sql creates");
    }

    private static void customize(Map<String, Object> properties) {
        try (GenericApplicationContext context = new GenericApplicationContext()) {
            context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
            MergedContextConfiguration merged = new MergedContextConfiguration(
                    Annotated.class, new String[0], new Class<?>[0], new String[0], new DelegatingSmartContextLoader());
            new RealInfrastructureContextCustomizer().customizeContext(context, merged);
        }
    }

    @RealInfrastructure
    static class Annotated {

        class Nested {}
    }

    static class InheritsAnnotation extends Annotated {}

    static class Plain {}
}
