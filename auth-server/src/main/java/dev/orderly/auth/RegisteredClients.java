package dev.orderly.auth;

import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * The clients of {@code orderly.auth.clients} and the users of {@code orderly.auth.users}. A client without redirect
 * URIs is registered for the client-credentials grant only; one with them (the console) for the authorization-code
 * grant and refresh tokens only, without a consent page (the local run's users are its operators). Each client is
 * authenticated with its secret over HTTP Basic and given self-contained (JWT) access tokens of
 * {@code orderly.auth.token-ttl}. Each user's authorities are their scopes, which {@link UserScopes} narrows a user's
 * token to.
 *
 * <p>Invariant: a secret or password is held only bcrypt-encoded ({@code {bcrypt}...}, through the delegating encoder
 * the authorization server also checks secrets with); the plain one is never stored in a registration nor logged.
 */
@Configuration(proxyBeanMethods = false)
class RegisteredClients {

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    RegisteredClientRepository registeredClientRepository(AuthServerProperties properties, PasswordEncoder encoder) {
        TokenSettings tokens = TokenSettings.builder()
                .accessTokenFormat(OAuth2TokenFormat.SELF_CONTAINED)
                .accessTokenTimeToLive(properties.tokenTtl())
                // Only the console gets refresh tokens: one keeps a sign-in going for a working day.
                .refreshTokenTimeToLive(properties.refreshTokenTtl())
                .build();
        List<RegisteredClient> clients = properties.clients().entrySet().stream()
                .map(client -> registration(client, encoder, tokens))
                .toList();
        return new InMemoryRegisteredClientRepository(clients);
    }

    @Bean
    UserDetailsService users(AuthServerProperties properties, PasswordEncoder encoder) {
        return new InMemoryUserDetailsManager(properties.users().entrySet().stream()
                .map(user -> User.withUsername(user.getKey())
                        .password(encoder.encode(user.getValue().password()))
                        .authorities(user.getValue().scopes().toArray(String[]::new))
                        .build())
                .toList());
    }

    private static RegisteredClient registration(
            Map.Entry<String, AuthServerProperties.Client> client, PasswordEncoder encoder, TokenSettings tokens) {
        RegisteredClient.Builder registration = RegisteredClient.withId(client.getKey())
                .clientId(client.getKey())
                .clientSecret(encoder.encode(client.getValue().secret()))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .scopes(scopes -> scopes.addAll(client.getValue().scopes()))
                .tokenSettings(tokens);
        if (client.getValue().redirectUris().isEmpty()) {
            registration.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS);
        } else {
            registration
                    .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                    .authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
                    .redirectUris(uris -> uris.addAll(client.getValue().redirectUris()))
                    .clientSettings(ClientSettings.builder()
                            .requireAuthorizationConsent(false)
                            .build());
        }
        return registration.build();
    }
}
