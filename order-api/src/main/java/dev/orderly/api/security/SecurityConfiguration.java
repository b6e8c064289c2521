package dev.orderly.api.security;

import dev.orderly.api.OrderApiProperties;
import dev.orderly.api.ratelimit.RateLimitFilter;
import dev.orderly.security.ManagementSecurityAutoConfiguration;
import dev.orderly.security.ScopeRule;
import dev.orderly.security.TokenProblems;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import jakarta.servlet.DispatcherType;
import java.util.List;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may call what on the API port ({@link Scopes}): {@code POST /orders} needs {@code orders:write},
 * {@code /orders/stuck} {@code orders:read-all} (HEAD included), any other request to {@code /orders/**} {@code orders:read}; {@code PUT /inventory/**} {@code inventory:write}, any other
 * {@code inventory:read}. The API's description ({@code /v3/api-docs}, the Swagger UI) is open: it holds no data, and a
 * person must be able to load the UI before pasting a token into it. Anything else needs a valid token (and is then a
 * 404 or 405).
 *
 * <p>The actuator is on the management port, behind common-security's chain (ahead of this one: its order is
 * {@link ManagementSecurityAutoConfiguration#ORDER}): the probes open, {@code /actuator/prometheus} with
 * {@code metrics:read}, the rest with {@code actuator:read}. Its endpoint matcher matches only requests that came to
 * the management port, so this port serves no actuator, with or without a token. common-security also refuses to start
 * a service that is given no way to check tokens.
 *
 * <p>Tokens are JWTs checked by Spring's resource server against Spring's own settings
 * ({@code spring.security.oauth2.resourceserver.jwt.*}); their scopes become {@code SCOPE_x} authorities, and the claim
 * {@code orderly.api.security.customer-claim} names the principal, the customer ({@link Caller}). Invariant: there is
 * no way to run open, and nothing keeps a session, so each request stands on its own token (no cookie, so no CSRF to
 * guard against).
 *
 * <p>{@code POST /orders} is then rate limited per caller ({@link RateLimitFilter}, after the authorization filter): a
 * request without a valid token or scope is refused as such, never counted against anyone's limit.
 */
@Configuration(proxyBeanMethods = false)
@SecurityScheme(
        name = SecurityConfiguration.BEARER,
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        bearerFormat = "JWT",
        description = "An OAuth2 access token (a JWT) with the scope each operation names; ./orderly token shop prints "
                + "one for the local run.")
@OpenAPIDefinition(security = @SecurityRequirement(name = SecurityConfiguration.BEARER))
class SecurityConfiguration {

    static final String BEARER = "bearer-jwt";

    /** What a 401 tells its caller, after how to send a token. */
    static final String HOW_TO_GET_A_TOKEN =
            "Your identity provider issues it to your client (./orderly token shop prints one for the local run).";

    /** After common-security's management chain, which takes the actuator's requests; this one takes all the others. */
    @Bean
    @Order(ManagementSecurityAutoConfiguration.ORDER + 1)
    SecurityFilterChain api(
            HttpSecurity http, JwtAuthenticationConverter callers, RateLimitFilter rateLimit, JsonMapper json)
            throws Exception {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        List<ScopeRule> rules = List.of(
                new ScopeRule(paths.matcher(HttpMethod.POST, "/orders"), Scopes.ORDERS_WRITE),
                // Every customer's stuck orders: an operator's view.
                new ScopeRule(paths.matcher("/orders/stuck"), Scopes.ORDERS_READ_ALL),
                new ScopeRule(paths.matcher("/orders/**"), Scopes.ORDERS_READ),
                new ScopeRule(paths.matcher(HttpMethod.PUT, "/inventory/**"), Scopes.INVENTORY_WRITE),
                new ScopeRule(paths.matcher("/inventory/**"), Scopes.INVENTORY_READ));
        http.authorizeHttpRequests(requests -> {
            // An error dispatch renders the error of a request that was already let in or refused: it grants nothing.
            requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
            requests.requestMatchers(
                            paths.matcher("/v3/api-docs"),
                            paths.matcher("/v3/api-docs/**"),
                            paths.matcher("/swagger-ui.html"),
                            paths.matcher("/swagger-ui/**"))
                    .permitAll();
            rules.forEach(rule -> requests.requestMatchers(rule.requests()).hasAuthority(rule.authority()));
            requests.anyRequest().authenticated();
        });
        TokenProblems problems = new TokenProblems(rules, HOW_TO_GET_A_TOKEN, json);
        http.oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.jwtAuthenticationConverter(callers))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(exceptions ->
                        exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // Once the caller is known and let in, before anything reads the body or the database.
                .addFilterAfter(rateLimit, AuthorizationFilter.class);
        return http.build();
    }

    /**
     * The principal of a token is its customer claim; its authorities are its scopes, as {@code SCOPE_x}: from
     * {@code scope} or {@code scp} (Spring's default), or from the claim Boot's
     * {@code spring.security.oauth2.resourceserver.jwt.authorities-claim-name} names ({@code roles}, for an IdP that
     * puts a client's permissions there), split at its {@code authorities-claim-delimiter}. The prefix stays {@code SCOPE_},
     * which the rules ({@link Scopes}) grant by.
     */
    @Bean
    JwtAuthenticationConverter callers(OrderApiProperties properties, OAuth2ResourceServerProperties resourceServer) {
        JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
        OAuth2ResourceServerProperties.Jwt jwt = resourceServer.getJwt();
        if (jwt.getAuthoritiesClaimName() != null) {
            scopes.setAuthoritiesClaimName(jwt.getAuthoritiesClaimName());
        }
        if (jwt.getAuthoritiesClaimDelimiter() != null) {
            scopes.setAuthoritiesClaimDelimiter(jwt.getAuthoritiesClaimDelimiter());
        }
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(scopes);
        converter.setPrincipalClaimName(properties.security().customerClaim());
        return converter;
    }
}
