package dev.orderly.api.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.api.OrderApiApplication;
import dev.orderly.api.OrderApiProperties;
import dev.orderly.api.ratelimit.RateLimitLayer;
import dev.orderly.testsupport.TestKeys;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Secure by default: order-api refuses to start unless one of Spring's token settings says how to check a token, and
 * says which settings those are (common-security's check); its security configuration, with Boot's security and
 * resource-server auto-configuration, takes any one of them, and reads the customer and the scopes as configured.
 */
class SecurityConfigurationTests {

    private final WebApplicationContextRunner contexts = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    JacksonAutoConfiguration.class,
                    SecurityAutoConfiguration.class,
                    ServletWebSecurityAutoConfiguration.class,
                    OAuth2ResourceServerAutoConfiguration.class))
            .withUserConfiguration(Settings.class, RateLimitLayer.class, SecurityConfiguration.class);

    @Test
    void withoutAWayToCheckTokensOrderApiDoesNotStartAndNamesTheSettings() {
        // No database either: the check comes before any bean, so order-api fails on it and on nothing else.
        assertThatThrownBy(() -> SpringApplication.run(
                        OrderApiApplication.class,
                        "--server.port=0",
                        "--management.server.port=0",
                        "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/nowhere"))
                .hasStackTraceContaining("cannot check access tokens")
                .hasStackTraceContaining("spring.security.oauth2.resourceserver.jwt.jwk-set-uri")
                .hasStackTraceContaining("spring.security.oauth2.resourceserver.jwt.issuer-uri")
                .hasStackTraceContaining("spring.security.oauth2.resourceserver.jwt.public-key-location");
    }

    @Test
    void anyOneOfTheSettingsIsEnoughAndNoneIsCalledAtStart() {
        for (String setting : new String[] {
            "spring.security.oauth2.resourceserver.jwt.public-key-location=" + TestKeys.publicKeyLocation(),
            "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=http://127.0.0.1:1/oauth2/jwks",
            "spring.security.oauth2.resourceserver.jwt.issuer-uri=http://127.0.0.1:1/issuer"
        }) {
            contexts.withPropertyValues(setting).run(context -> {
                assertThat(context).as(setting).hasNotFailed();
                assertThat(context).getBeans(SecurityFilterChain.class).hasSize(1);
            });
        }
    }

    @Test
    void theCustomerIsTheConfiguredClaimAndTheScopesMayComeFromAnotherClaimAsBootsSettingSays() {
        contexts.withPropertyValues(
                        "spring.security.oauth2.resourceserver.jwt.public-key-location=" + TestKeys.publicKeyLocation(),
                        "spring.security.oauth2.resourceserver.jwt.authorities-claim-name=roles",
                        "orderly.api.security.customer-claim=customer_id")
                .run(context -> {
                    Jwt jwt = Jwt.withTokenValue("token")
                            .header("alg", "RS256")
                            .subject("some-client")
                            .claim("customer_id", "c-9")
                            .claim("roles", List.of("orders:write", "orders:read"))
                            .claim("scope", "actuator:read")
                            .build();

                    AbstractAuthenticationToken caller =
                            context.getBean(JwtAuthenticationConverter.class).convert(jwt);

                    assertThat(caller.getName()).isEqualTo("c-9");
                    assertThat(caller.getAuthorities())
                            .extracting(GrantedAuthority::getAuthority)
                            .contains("SCOPE_orders:write", "SCOPE_orders:read")
                            .as("the scope claim is not read when another claim is named")
                            .doesNotContain("SCOPE_actuator:read");
                });
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(OrderApiProperties.class)
    static class Settings {}
}
