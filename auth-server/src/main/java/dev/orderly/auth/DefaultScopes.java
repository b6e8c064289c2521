package dev.orderly.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2ClientCredentialsAuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * A client-credentials token request that names no scope asks for all of the client's scopes. RFC 6749 (section 3.3)
 * leaves this default to the server; Spring Authorization Server's is no scope at all, a token that allows nothing,
 * while the identity providers that replace this server in production (Keycloak, Entra, Okta) grant the client's
 * default scopes. So {@code curl -u shop:SECRET -d grant_type=client_credentials} gets a usable token here as there.
 *
 * <p>Invariant: only an empty request is widened, and only to the client's registered scopes; a request naming
 * scopes is left as it is, so one naming a scope the client lacks still fails with {@code invalid_scope}.
 */
final class DefaultScopes implements AuthenticationConverter {

    private final AuthenticationConverter clientCredentials = new OAuth2ClientCredentialsAuthenticationConverter();

    @Override
    public @Nullable Authentication convert(HttpServletRequest request) {
        Authentication converted = clientCredentials.convert(request);
        if (converted instanceof OAuth2ClientCredentialsAuthenticationToken grant
                && grant.getScopes().isEmpty()
                && grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken client) {
            RegisteredClient registered = client.getRegisteredClient();
            if (registered != null) {
                return new OAuth2ClientCredentialsAuthenticationToken(
                        client, registered.getScopes(), grant.getAdditionalParameters());
            }
        }
        return converted;
    }
}
