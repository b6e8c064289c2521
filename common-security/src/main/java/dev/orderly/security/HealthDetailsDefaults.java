package dev.orderly.security;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Shows health details (and components) only to a token with {@code actuator:read}: the probes are open to anyone
 * ({@link ManagementSecurityAutoConfiguration}), so without this a service that once set {@code show-details: always}
 * would tell every caller its database, broker and outbox state.
 *
 * <p>An environment post-processor (registered in {@code META-INF/spring.factories}) because these are Boot's own
 * health settings, read before any bean exists; put last, as defaults, so that a service's own configuration still
 * wins. Invariant: a service that sets neither shows a caller without that scope its status and nothing else.
 */
final class HealthDetailsDefaults implements EnvironmentPostProcessor {

    static final String PROPERTY_SOURCE_NAME = "orderlyManagementHealthDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment
                .getPropertySources()
                .addLast(new MapPropertySource(
                        PROPERTY_SOURCE_NAME,
                        Map.of(
                                "management.endpoint.health.show-details",
                                "when-authorized",
                                "management.endpoint.health.roles",
                                ManagementScopes.authority(ManagementScopes.ACTUATOR_READ))));
    }
}
