package dev.orderly.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.web.authentication.OAuth2AuthorizationCodeRequestAuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * A signed-in user's authorization request gets only the scopes the user has: what the client asks for (the console
 * asks for every scope it can use), narrowed to the user's authorities (their {@code orderly.auth.users.<name>.scopes}).
 * So a viewer's token carries {@code parkinglot:read} but never {@code parkinglot:replay}, whatever the client asked
 * for, and the services refuse a viewer's replay by the token alone. Narrowing the request itself, before the code is
 * issued, keeps the authorization, the token response's {@code scope} and the JWT's {@code scope} claim one set.
 *
 * <p>Spring Authorization Server grants a client whatever registered scopes it asks for and leaves a user's share to
 * a consent page; a consent page that lets the user pick would not stop a viewer picking {@code parkinglot:replay}.
 *
 * <p>Invariant: only narrowed, never widened. A request before sign-in has an anonymous principal, whose authorities
 * hold no scope: it is narrowed to none, and the authorization endpoint sends it to the login page anyway; after the
 * sign-in the saved request is converted again, with the user.
 */
final class UserScopes implements AuthenticationConverter {

    private final AuthenticationConverter authorizationCode =
            new OAuth2AuthorizationCodeRequestAuthenticationConverter();

    @Override
    public @Nullable Authentication convert(HttpServletRequest request) {
        Authentication converted = authorizationCode.convert(request);
        if (converted instanceof OAuth2AuthorizationCodeRequestAuthenticationToken authorization
                && authorization.getPrincipal() instanceof Authentication user
                && user.isAuthenticated()
                && user.getAuthorities() != null) {
            Set<String> held = user.getAuthorities().stream()
                    .map(GrantedAuthority::getAuthority)
                    .collect(Collectors.toSet());
            Set<String> scopes = new LinkedHashSet<>(authorization.getScopes());
            scopes.retainAll(held);
            return new OAuth2AuthorizationCodeRequestAuthenticationToken(
                    authorization.getAuthorizationUri(),
                    authorization.getClientId(),
                    user,
                    authorization.getRedirectUri(),
                    authorization.getState(),
                    scopes,
                    authorization.getAdditionalParameters());
        }
        return converted;
    }
}
