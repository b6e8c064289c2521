package dev.orderly.testsupport;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds, ahead of every other property source, the connection settings of {@link OrderlyInfrastructure}'s servers:
 * the datasource and Flyway as the roles the test's own configuration names, RabbitMQ as the administrator on
 * virtual host {@code orderly}, a resource server's tokens checked against {@link TestKeys}
 * ({@link RealInfrastructureProperties}, which {@link DevInfrastructure} uses too).
 *
 * <p>Invariant: a context never connects as a role bootstrap.sql did not create, nor silently as the superuser; a
 * missing or unknown role fails the context before any server is started. Instances are stateless and all equal, so
 * they never split Spring's context cache: every annotated context points at the same per-JVM servers.
 */
final class RealInfrastructureContextCustomizer implements ContextCustomizer {

    static final String PROPERTY_SOURCE_NAME = "orderlyRealInfrastructure";

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
        ConfigurableEnvironment environment = context.getEnvironment();
        String testClass = mergedConfig.getTestClass().getName();
        RealInfrastructureProperties.Roles roles = RealInfrastructureProperties.roles(
                environment,
                new RealInfrastructureProperties.Requester(
                        "@RealInfrastructure on " + testClass,
                        "Set it in the service's application.yml or in @SpringBootTest(properties"
                                + " = \"spring.datasource.username=orderly_api\").",
                        "the test"));
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, RealInfrastructureProperties.properties(roles)));
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return (other != null) && (other.getClass() == getClass());
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String toString() {
        return "RealInfrastructureContextCustomizer";
    }
}
