package dev.orderly.security;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
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
 * token lacks the scope (403) with an {@code application/problem+json} body (RFC 9457: {@code type}, {@code title},
 * {@code status}, {@code detail}), its type one of {@code urn:orderly:problem:authentication-required},
 * {@code invalid-token} or {@code insufficient-scope}.
 *
 * <p>Spring's own bearer-token handlers answer first, so the status and the RFC 6750 {@code WWW-Authenticate: Bearer
 * ...} header (with {@code error="invalid_token"} or {@code "insufficient_scope"}) are exactly Spring's; this only adds
 * the body. Invariant: the body says what is missing and nothing about the resource: no {@code instance} (a path may
 * hold an order id), no stack, nothing the endpoint would have read.
 *
 * <p>Public for order-api, whose API chain answers its refusals with this too, so that a refusal reads the same on
 * every port of every service.
 */
public final class TokenProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    /** The prefix of every problem type of this project (docs/order-api.md lists them). */
    public static final String TYPE_PREFIX = "urn:orderly:problem:";

    private final AuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    private final AccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
    private final List<ScopeRule> rules;
    private final String howToGetAToken;
    private final JsonMapper json;

    /**
     * @param rules the rules of the filter chain, to name the scope a 403 lacks
     * @param howToGetAToken a sentence that tells a caller without a token where to get one, appended to the 401's
     *     detail
     * @param json the application's mapper; Spring's problem-detail mix-in is added, so the body is RFC 9457's
     *     whatever it was built with
     */
    public TokenProblems(List<ScopeRule> rules, String howToGetAToken, JsonMapper json) {
        if (howToGetAToken.isBlank()) {
            throw new IllegalArgumentException("a caller without a token must be told how to get one");
        }
        this.rules = List.copyOf(rules);
        this.howToGetAToken = howToGetAToken.strip();
        this.json = json.rebuild()
                .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
                .build();
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException, ServletException {
        bearer.commence(request, response, failure);
        if (failure instanceof OAuth2AuthenticationException refused) {
            String reason = refused.getError().getDescription();
            write(
                    response,
                    "invalid-token",
                    "Invalid token",
                    "The access token was refused" + (reason == null ? "" : ": " + reason)
                            + ". Send a valid, unexpired token as 'Authorization: Bearer <token>'.");
        } else {
            write(
                    response,
                    "authentication-required",
                    "Authentication required",
                    "This request needs an access token: send it as 'Authorization: Bearer <token>'. "
                            + howToGetAToken);
        }
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException refusal)
            throws IOException, ServletException {
        denied.handle(request, response, refusal);
        String detail = ScopeRule.needed(rules, request)
                .map("This request needs scope '%s', which the access token does not grant."::formatted)
                .orElse("The access token does not grant what this request needs.");
        write(response, "insufficient-scope", "Insufficient scope", detail);
    }

    /** The body, after Spring's handler has set the status and the challenge. */
    private void write(HttpServletResponse response, String type, String title, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(response.getStatus()), detail);
        problem.setType(URI.create(TYPE_PREFIX + type));
        problem.setTitle(title);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
