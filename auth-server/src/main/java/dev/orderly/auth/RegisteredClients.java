package dev.orderly.auth;

import java.util.List;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.OAuth2TokenFormat;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * The clients of {@code orderly.auth.clients}, registered for the client-credentials grant only, each authenticated
 * with its secret over HTTP Basic and given self-contained (JWT) access tokens of {@code orderly.auth.token-ttl}.
 *
 * <p>Invariant: a secret is held only bcrypt-encoded ({@code {bcrypt}...}, through the delegating encoder the
 * authorization server also checks secrets with); the plain one is never stored in a registration nor logged.
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
                .build();
        List<RegisteredClient> clients = properties.clients().entrySet().stream()
                .map(client -> registration(client, encoder, tokens))
                .toList();
        return new InMemoryRegisteredClientRepository(clients);
    }

    private static RegisteredClient registration(
            Map.Entry<String, AuthServerProperties.Client> client, PasswordEncoder encoder, TokenSettings tokens) {
        return RegisteredClient.withId(client.getKey())
                .clientId(client.getKey())
                .clientSecret(encoder.encode(client.getValue().secret()))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scopes(scopes -> scopes.addAll(client.getValue().scopes()))
                .tokenSettings(tokens)
                .build();
    }
}
