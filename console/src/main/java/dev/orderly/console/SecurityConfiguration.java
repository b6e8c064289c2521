package dev.orderly.console;

import java.util.Collection;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestCustomizers;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;

/**
 * Who may see and do what: a person signs in at the authorization server (the authorization-code grant with PKCE, as
 * client {@value #REGISTRATION}); every page and every {@code /api} call needs that sign-in; the actuator is
 * common-security's (its own chain, first: probes open, metrics with {@code metrics:read}). The signed-in user is the
 * access token's subject with the token's scopes as authorities ({@code SCOPE_parkinglot:replay}): the page shows a
 * button only for a scope the user holds, and the service behind it checks the same token again.
 *
 * <p>Invariant: the console never decides an action is allowed; a service does, on the user's token. What the console
 * checks (a scope before showing a button) only spares a click that would be refused.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** The console's registration with the authorization server (spring.security.oauth2.client.registration.*). */
    static final String REGISTRATION = "orderly";

    @Bean
    SecurityFilterChain console(
            HttpSecurity http,
            ClientRegistrationRepository registrations,
            OAuth2UserService<OAuth2UserRequest, OAuth2User> users)
            throws Exception {
        DefaultOAuth2AuthorizationRequestResolver authorizationRequests =
                new DefaultOAuth2AuthorizationRequestResolver(registrations, "/oauth2/authorization");
        // PKCE even though the console has a secret: a code intercepted on its way back is worth nothing alone.
        authorizationRequests.setAuthorizationRequestCustomizer(OAuth2AuthorizationRequestCustomizers.withPkce());
        http.authorizeHttpRequests(requests -> requests.requestMatchers("/error", "/favicon.ico", "/signed-out")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .oauth2Login(login -> login.authorizationEndpoint(
                                endpoint -> endpoint.authorizationRequestResolver(authorizationRequests))
                        .userInfoEndpoint(info -> info.userService(users)))
                // The page's own calls: a 401 it can act on (sign in again), not a redirect to the authorization
                // server.
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
                        request -> request.getRequestURI().startsWith("/api/")))
                // The session cookie signs every request, so a cross-site request could ride on it: the page sends the
                // token of the XSRF-TOKEN cookie back in a header (Spring Security's single-page-application mode).
                .csrf(csrf -> csrf.spa())
                // Then on to the authorization server's own sign-out (SignedOut), or its session would sign the next
                // visitor of this browser straight back in.
                .logout(logout -> logout.logoutSuccessUrl("/signed-out"))
                // The page's script and styles are its own files: nothing inline, nothing from elsewhere, never framed.
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")));
        return http.build();
    }

    /**
     * The signed-in users' tokens in their own HTTP sessions: gone with the session (sign-out, expiry), never shared
     * between two browsers of the same user (Boot's default keeps them in one map for the application, by name).
     */
    @Bean
    OAuth2AuthorizedClientRepository authorizedClientRepository() {
        return new HttpSessionOAuth2AuthorizedClientRepository();
    }

    /**
     * Who signed in, from the access token itself (the authorization server has no user-info endpoint and OpenID
     * Connect stays off): its subject and scopes, checked against the authorization server's keys as every service
     * checks them, the scopes read as the services read them (a JSON array or a space-separated string, from
     * {@code scope}/{@code scp}, or from the claim {@code spring.security.oauth2.resourceserver.jwt.authorities-claim-name}
     * names, e.g. Entra ID's {@code roles}).
     */
    @Bean
    OAuth2UserService<OAuth2UserRequest, OAuth2User> tokenUsers(
            JwtDecoder tokens,
            @Value("${spring.security.oauth2.resourceserver.jwt.authorities-claim-name:}") String authoritiesClaim) {
        JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
        if (!authoritiesClaim.isBlank()) {
            scopes.setAuthoritiesClaimName(authoritiesClaim);
        }
        return request -> {
            Jwt token = tokens.decode(request.getAccessToken().getTokenValue());
            Collection<GrantedAuthority> authorities = scopes.convert(token);
            return new DefaultOAuth2User(authorities, token.getClaims(), "sub");
        };
    }

    /** Gets the signed-in user's token for a call, refreshing it when it has expired. */
    @Bean
    OAuth2AuthorizedClientManager authorizedClients(
            ClientRegistrationRepository registrations, OAuth2AuthorizedClientRepository authorized) {
        DefaultOAuth2AuthorizedClientManager manager =
                new DefaultOAuth2AuthorizedClientManager(registrations, authorized);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .authorizationCode()
                .refreshToken()
                .build());
        return manager;
    }
}
