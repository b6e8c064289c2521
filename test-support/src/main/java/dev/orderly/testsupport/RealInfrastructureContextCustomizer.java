package dev.orderly.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds, ahead of every other property source, the connection settings of {@link OrderlyInfrastructure}'s servers:
 * the datasource and Flyway as the roles the test's own configuration names, RabbitMQ as the administrator on
 * virtual host {@code orderly}.
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
        String datasourceRole = requiredRole(environment.getProperty("spring.datasource.username"), testClass);
        String flywayUser = environment.getProperty("spring.flyway.user");
        String flywayRole =
                (flywayUser != null) ? knownRole(flywayUser, "spring.flyway.user", testClass) : datasourceRole;

        PostgresServer postgres = OrderlyInfrastructure.postgres();
        RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        PROPERTY_SOURCE_NAME, properties(postgres, datasourceRole, flywayRole, rabbit)));
    }

    private static Map<String, Object> properties(
            PostgresServer postgres, String datasourceRole, String flywayRole, RabbitBroker rabbit) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.password", postgres.passwordFor(datasourceRole));
        // Flyway is given its URL, user and password explicitly (its own user if the test names one, else the
        // datasource's): with a URL of its own and no password, Flyway would connect without one.
        properties.put("spring.flyway.url", postgres.jdbcUrl());
        properties.put("spring.flyway.user", flywayRole);
        properties.put("spring.flyway.password", postgres.passwordFor(flywayRole));
        properties.put("spring.rabbitmq.host", rabbit.host());
        properties.put("spring.rabbitmq.port", rabbit.amqpPort());
        properties.put("spring.rabbitmq.virtual-host", rabbit.virtualHost());
        properties.put("spring.rabbitmq.username", rabbit.adminUser());
        properties.put("spring.rabbitmq.password", rabbit.adminPassword());
        return properties;
    }

    private static String requiredRole(@Nullable String username, String testClass) {
        if (username == null || username.isBlank()) {
            throw new IllegalStateException("@RealInfrastructure on " + testClass
                    + " needs spring.datasource.username set to the service's own database role, one of "
                    + Service.databaseRoles()
                    + ", but it is not set. Set it in the service's application.yml or in @SpringBootTest(properties"
                    + " = \"spring.datasource.username=orderly_api\").");
        }
        return knownRole(username, "spring.datasource.username", testClass);
    }

    private static String knownRole(String username, String property, String testClass) {
        if (!Service.databaseRoles().contains(username)) {
            throw new IllegalStateException("@RealInfrastructure on " + testClass + " found " + property + "="
                    + username + ", which is not a role bootstrap.sql creates; use one of " + Service.databaseRoles()
                    + " so the test runs with the service's own privileges.");
        }
        return username;
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
