package dev.orderly.auth;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;

/**
 * Who may call what: the authorization server's endpoints (token, JWK set, metadata, authorization) as Spring
 * Authorization Server guards them, a client-credentials request that asks for no scope getting all of the client's
 * ({@link DefaultScopes}) and a user's authorization request only the scopes the user has ({@link UserScopes}); a
 * browser sent to the authorization endpoint before signing in goes to the login form; the form itself open; the
 * health probes open; the rest of the actuator only with one of this server's own tokens carrying scope
 * {@code actuator:read}; anything else refused.
 *
 * <p>Invariant: only a user signing in keeps a session (the form login, until the authorization endpoint has sent the
 * code back to the client); a client's token request, the key set and the actuator keep none. OpenID Connect (ID
 * tokens, user info) stays off: the console needs an access token, not a profile.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    @Order(1)
    SecurityFilterChain authorizationServerEndpoints(HttpSecurity http) throws Exception {
        http.oauth2AuthorizationServer(server -> {
                    http.securityMatcher(server.getEndpointsMatcher());
                    server.tokenEndpoint(token -> token.accessTokenRequestConverter(new DefaultScopes()))
                            .authorizationEndpoint(
                                    authorization -> authorization.authorizationRequestConverter(new UserScopes()));
                })
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                // A browser that is not signed in yet is sent to the form; a client without credentials still gets 401.
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
        http.authorizeHttpRequests(requests -> requests.requestMatchers(EndpointRequest.to(HealthEndpoint.class))
                        .permitAll()
                        .requestMatchers(EndpointRequest.toAnyEndpoint())
                        .hasAuthority("SCOPE_actuator:read")
                        .requestMatchers("/error")
                        .permitAll()
                        .anyRequest()
                        .denyAll())
                // The users' sign-in form (Spring Security's own page) at /login, and nothing else that is theirs.
                .formLogin(form -> form.permitAll())
                .oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()));
        return http.build();
    }

    /** The issuer of {@code orderly.auth.issuer}; unset, each request's own URL. Endpoints at their default paths. */
    @Bean
    AuthorizationServerSettings authorizationServerSettings(AuthServerProperties properties) {
        AuthorizationServerSettings.Builder settings = AuthorizationServerSettings.builder();
        if (properties.issuer() != null && !properties.issuer().isBlank()) {
            settings.issuer(properties.issuer());
        }
        return settings.build();
    }
}
