package dev.orderly.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.env.PropertyResolver;

/**
 * The connection settings that point an application context at {@link OrderlyInfrastructure}'s servers: the
 * datasource and Flyway as the roles the context's own configuration names, RabbitMQ as the administrator on virtual
 * host {@code orderly}, a resource server's token check at {@link TestKeys}' public key, and the message-signing key
 * at {@link TestMessageKeys}'. One recipe for both ways
 * in: {@link RealInfrastructure} (a test's context, through {@link RealInfrastructureContextCustomizer}) and
 * {@link DevInfrastructure} (a service run from an IDE, through {@link DevInfrastructureEnvironmentPostProcessor}).
 *
 * <p>Invariant: a context never connects as a role bootstrap.sql did not create, nor silently as the superuser; a
 * missing or unknown role is refused by {@link #roles} before any server is started.
 */
final class RealInfrastructureProperties {

    private RealInfrastructureProperties() {}

    /**
     * The database roles a context connects as.
     *
     * @param datasource {@code spring.datasource.username}
     * @param flyway {@code spring.flyway.user} if set, otherwise the datasource's role
     */
    record Roles(String datasource, String flyway) {}

    /**
     * Who asks for the servers, for the messages that refuse a role.
     *
     * @param owner such as {@code @RealInfrastructure on dev.orderly.api.SomeTests}
     * @param whereToSet how to set the datasource's role, a sentence
     * @param subject what runs with the roles' privileges: {@code the test}, {@code the service}
     */
    record Requester(String owner, String whereToSet, String subject) {}

    /** Reads and checks the roles the configuration names; starts nothing. */
    static Roles roles(PropertyResolver configuration, Requester requester) {
        String datasourceRole = requiredRole(configuration.getProperty("spring.datasource.username"), requester);
        String flywayUser = configuration.getProperty("spring.flyway.user");
        String flywayRole =
                (flywayUser != null) ? knownRole(flywayUser, "spring.flyway.user", requester) : datasourceRole;
        return new Roles(datasourceRole, flywayRole);
    }

    /** The servers' connection settings for these roles, starting the servers if they are not yet. */
    static Map<String, Object> properties(Roles roles) {
        PostgresServer postgres = OrderlyInfrastructure.postgres();
        RabbitBroker rabbit = OrderlyInfrastructure.rabbit();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", postgres.jdbcUrl());
        properties.put("spring.datasource.password", postgres.passwordFor(roles.datasource()));
        // Flyway is given its URL, user and password explicitly (its own user if the configuration names one, else
        // the datasource's): with a URL of its own and no password, Flyway would connect without one.
        properties.put("spring.flyway.url", postgres.jdbcUrl());
        properties.put("spring.flyway.user", roles.flyway());
        properties.put("spring.flyway.password", postgres.passwordFor(roles.flyway()));
        properties.put("spring.rabbitmq.host", rabbit.host());
        properties.put("spring.rabbitmq.port", rabbit.amqpPort());
        properties.put("spring.rabbitmq.virtual-host", rabbit.virtualHost());
        properties.put("spring.rabbitmq.username", rabbit.adminUser());
        properties.put("spring.rabbitmq.password", rabbit.adminPassword());
        // AMQP over TLS through the SSL bundle "rabbitmq", with the client certificate the broker requires.
        properties.putAll(rabbit.springSslProperties());
        // A resource server checks tokens against this JVM's test key (TestTokens signs with it), as it would check the
        // auth-server's: a context of a service with Spring Security starts, and no request gets in unsigned.
        properties.put(TestKeys.PUBLIC_KEY_LOCATION, TestKeys.publicKeyLocation());
        // Messages are signed and checked with this JVM's message key (TestMessageKeys signs with it too), its only
        // key: a service that produces or consumes events starts, and checks every message it receives.
        properties.putAll(TestMessageKeys.properties());
        return properties;
    }

    private static String requiredRole(@Nullable String username, Requester requester) {
        if (username == null || username.isBlank()) {
            throw new IllegalStateException(requester.owner()
                    + " needs spring.datasource.username set to the service's own database role, one of "
                    + Service.databaseRoles() + ", but it is not set. " + requester.whereToSet());
        }
        return knownRole(username, "spring.datasource.username", requester);
    }

    private static String knownRole(String username, String property, Requester requester) {
        if (!Service.databaseRoles().contains(username)) {
            throw new IllegalStateException(requester.owner() + " found " + property + "=" + username
                    + ", which is not a role bootstrap.sql creates; use one of " + Service.databaseRoles() + " so "
                    + requester.subject() + " runs with the service's own privileges.");
        }
        return username;
    }
}
