package dev.orderly.api.security;

import dev.orderly.api.web.Problems;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a request without a usable token (401, or 400 for a malformed {@code Authorization} header) and one whose
 * token lacks the scope (403) as every other refusal of this API: an {@code application/problem+json} body with a
 * stable type, {@code authentication-required}, {@code invalid-token} or {@code insufficient-scope}.
 *
 * <p>Spring's own bearer-token handlers still answer first, so the status and the RFC 6750 {@code WWW-Authenticate:
 * Bearer ...} header (with {@code error="invalid_token"} or {@code "insufficient_scope"}) are exactly Spring's; this
 * only adds the body. Invariant: the body says what is missing and nothing about the resource: no {@code instance}
 * (the path may hold an order id), no stack, nothing read from the database.
 */
final class TokenProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final AuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    private final AccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
    private final List<Scopes.Rule> rules;
    private final JsonMapper json;

    /** {@code rules}: the scopes the requests of this filter chain need, to name the one a 403 lacks. */
    TokenProblems(List<Scopes.Rule> rules, JsonMapper json) {
        this.rules = List.copyOf(rules);
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException, ServletException {
        bearer.commence(request, response, failure);
        HttpStatus status = HttpStatus.valueOf(response.getStatus());
        ProblemDetail problem;
        if (failure instanceof OAuth2AuthenticationException refused) {
            String reason = refused.getError().getDescription();
            problem = Problems.of(
                    status,
                    "invalid-token",
                    "Invalid token",
                    "The access token was refused" + (reason == null ? "" : ": " + reason)
                            + ". Send a valid, unexpired token as 'Authorization: Bearer <token>'.");
        } else {
            problem = Problems.of(
                    status,
                    "authentication-required",
                    "Authentication required",
                    "This request needs an access token: send it as 'Authorization: Bearer <token>'.");
        }
        Problems.write(response, problem, json);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException refusal)
            throws IOException, ServletException {
        denied.handle(request, response, refusal);
        String detail = Scopes.needed(rules, request)
                .map(scope -> "This request needs scope '%s', which the access token does not grant.".formatted(scope))
                .orElse("The access token does not grant what this request needs.");
        Problems.write(
                response,
                Problems.of(
                        HttpStatus.valueOf(response.getStatus()), "insufficient-scope", "Insufficient scope", detail),
                json);
    }
}
