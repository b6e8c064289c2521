package dev.orderly.security;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.web.OAuth2ResourceServerWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * The management side of a service (its actuator) as an OAuth2 resource server: a JWT access token on every request
 * but the liveness and readiness probes, each endpoint behind the scope {@link ManagementScopes} gives it, refusals as
 * problem details ({@link TokenProblems}). Tokens are checked as Spring Boot's properties say:
 * {@code spring.security.oauth2.resourceserver.jwt.jwk-set-uri}, {@code issuer-uri} or {@code public-key-location}.
 *
 * <p>There is no switch to turn it off: a service that depends on common-security has it, and one that is given no way
 * to check tokens does not start ({@link TokenCheck}). Invariant: no management endpoint but the two probes answers a
 * request without a valid token, and the probes show no details to one.
 *
 * <p>The chain matches the management endpoints only and comes first ({@link #ORDER}), so a service with an API of its
 * own (order-api) can add its own chain for everything else. Declaring a chain makes Boot's default ones back off.
 */
@AutoConfiguration(
        after = OAuth2ResourceServerAutoConfiguration.class,
        before = {
            OAuth2ResourceServerWebSecurityAutoConfiguration.class,
            ManagementWebSecurityAutoConfiguration.class,
            ServletWebSecurityAutoConfiguration.class
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({SecurityFilterChain.class, EndpointRequest.class, JwtDecoder.class})
public class ManagementSecurityAutoConfiguration {

    /** The management chain's order: ahead of any chain of the application's own, which may then match any request. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    /** What a 401 of the management side tells its caller, after how to send a token. */
    static final String HOW_TO_GET_A_TOKEN =
            "./orderly token operator prints one for the local run (the monitoring client's, for metrics).";

    /** Boot's properties, one of which must be set. */
    static final List<String> TOKEN_PROPERTIES = List.of(
            "spring.security.oauth2.resourceserver.jwt.jwk-set-uri",
            "spring.security.oauth2.resourceserver.jwt.issuer-uri",
            "spring.security.oauth2.resourceserver.jwt.public-key-location");

    /**
     * Checked before any bean is created (a bean factory post-processor runs first), so a service that cannot check
     * tokens fails on that, with the settings named, rather than on Spring's "no JwtDecoder bean" or, worse, a
     * database connection attempted before it.
     */
    @Bean
    static BeanFactoryPostProcessor orderlyTokenCheck(Environment environment) {
        return beanFactory -> TokenCheck.require(
                environment, beanFactory.getBeanNamesForType(JwtDecoder.class, true, false).length > 0);
    }

    @Bean
    @Order(ORDER)
    SecurityFilterChain orderlyManagementSecurityFilterChain(
            HttpSecurity http, ObjectProvider<PathMappedEndpoints> endpoints, ObjectProvider<JsonMapper> json)
            throws Exception {
        ManagementScopes scopes = new ManagementScopes();
        TokenProblems problems = new TokenProblems(
                scopes.rules(),
                HOW_TO_GET_A_TOKEN,
                json.getIfAvailable(() -> JsonMapper.builder().build()));
        http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers(probes(endpoints.getIfAvailable())).permitAll();
                    scopes.rules()
                            .forEach(rule ->
                                    requests.requestMatchers(rule.requests()).hasAuthority(rule.authority()));
                    requests.anyRequest().denyAll();
                })
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> {})
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Bearer tokens only, no cookies: there is nothing a forged cross-site request could ride on.
                .csrf(csrf -> csrf.disable())
                .requestCache(cache -> cache.disable());
        return http.build();
    }

    /**
     * {@code /actuator/health/liveness} and {@code /readiness}, wherever the health endpoint is mapped, and only on the
     * management side (the endpoint matcher knows a separate management port).
     */
    private static RequestMatcher probes(@Nullable PathMappedEndpoints endpoints) {
        @Nullable String health = endpoints == null ? null : endpoints.getPath(EndpointId.of("health"));
        if (health == null) {
            return request -> false;
        }
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return new AndRequestMatcher(
                EndpointRequest.to("health"),
                new OrRequestMatcher(paths.matcher(health + "/liveness"), paths.matcher(health + "/readiness")));
    }

    /** Whether the service was told how to check tokens. */
    static final class TokenCheck {

        private TokenCheck() {}

        static void require(Environment environment, boolean decoderDeclared) {
            boolean configured = TOKEN_PROPERTIES.stream().anyMatch(name -> {
                String value = environment.getProperty(name);
                return value != null && !value.isBlank();
            });
            if (configured || decoderDeclared) {
                return;
            }
            String application = environment.getProperty("spring.application.name", "this service");
            throw new IllegalStateException(("%s cannot check access tokens, so its management side (actuator, "
                            + "metrics, parking lot) would refuse every caller: set one of %s, e.g. "
                            + "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI=https://idp.example/jwks (./orderly "
                            + "up gives every service the local auth-server's). There is no way to run it without "
                            + "tokens.")
                    .formatted(application, String.join(", ", TOKEN_PROPERTIES)));
        }
    }
}
