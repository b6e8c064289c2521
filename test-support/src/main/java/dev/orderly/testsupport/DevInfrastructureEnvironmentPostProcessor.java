package dev.orderly.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points an application that has {@link DevInfrastructure} among its sources at {@link OrderlyInfrastructure}'s
 * servers: the same settings {@link RealInfrastructure} gives a test ({@link RealInfrastructureProperties}), plus
 * {@link DevInfrastructure#bareBroker}, ahead of every other property source. Registered in
 * {@code META-INF/spring.factories}; it runs after the application's configuration files are read (so it sees
 * {@code spring.application.name} and the service's roles) and before its context exists (so every condition, and the
 * broker login check, sees the servers).
 *
 * <p>Invariant: an application without {@link DevInfrastructure} among its sources is left exactly as it is, and
 * starts no server; one that is not a {@link Service}, or names a role bootstrap.sql does not create, fails before any
 * server starts.
 */
final class DevInfrastructureEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String PROPERTY_SOURCE_NAME = "orderlyDevInfrastructure";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!application.getAllSources().contains(DevInfrastructure.class)) {
            return;
        }
        Service service = service(environment.getProperty("spring.application.name"));
        RealInfrastructureProperties.Roles roles = RealInfrastructureProperties.roles(
                environment,
                new RealInfrastructureProperties.Requester(
                        "DevInfrastructure for " + service.serviceName(),
                        "Set it in the service's application.yaml, or pass --spring.datasource.username="
                                + service.databaseRole().orElse("ROLE") + ".",
                        "the service"));
        Map<String, Object> properties = new LinkedHashMap<>(RealInfrastructureProperties.properties(roles));
        properties.putAll(DevInfrastructure.bareBroker(service, OrderlyInfrastructure.rabbit()));
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, properties));
    }

    private static Service service(@Nullable String applicationName) {
        if (applicationName == null || applicationName.isBlank()) {
            throw new IllegalStateException("DevInfrastructure needs spring.application.name to name the service ("
                    + Service.all().stream().map(Service::serviceName).toList()
                    + "), as each service's application.yaml does; it is not set.");
        }
        try {
            return Service.named(applicationName);
        } catch (IllegalArgumentException ex) {
            throw new IllegalStateException(
                    "DevInfrastructure runs one of Orderly's services, found by spring.application.name: "
                            + ex.getMessage(),
                    ex);
        }
    }
}
