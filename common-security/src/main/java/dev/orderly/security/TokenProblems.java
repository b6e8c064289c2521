package dev.orderly.security;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers a management request without a usable token (401, or 400 for a malformed {@code Authorization} header) and
 * one whose token lacks the scope (403) with an {@code application/problem+json} body (RFC 9457: {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code instance}), its type one of
 * {@code urn:orderly:problem:authentication-required}, {@code invalid-token} or {@code insufficient-scope}, as order-api
 * names them.
 *
 * <p>Spring's own bearer-token handlers answer first, so the status and the RFC 6750 {@code WWW-Authenticate: Bearer
 * ...} header (with {@code error="invalid_token"} or {@code "insufficient_scope"}) are exactly Spring's; this only adds
 * the body. Invariant: the body says what is missing and nothing else: no stack, nothing the endpoint would have read.
 */
final class TokenProblems implements AuthenticationEntryPoint, AccessDeniedHandler {

    static final String TYPE_PREFIX = "urn:orderly:problem:";

    private final AuthenticationEntryPoint bearer = new BearerTokenAuthenticationEntryPoint();
    private final AccessDeniedHandler denied = new BearerTokenAccessDeniedHandler();
    private final ManagementScopes scopes;
    private final JsonMapper json;

    TokenProblems(ManagementScopes scopes, JsonMapper json) {
        this.scopes = scopes;
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException, ServletException {
        bearer.commence(request, response, failure);
        if (failure instanceof OAuth2AuthenticationException refused) {
            String reason = refused.getError().getDescription();
            write(
                    request,
                    response,
                    "invalid-token",
                    "Invalid token",
                    "The access token was refused" + (reason == null ? "" : ": " + reason)
                            + ". Send a valid, unexpired token as 'Authorization: Bearer <token>'.");
        } else {
            write(
                    request,
                    response,
                    "authentication-required",
                    "Authentication required",
                    "The management side needs an access token for this request: send it as 'Authorization: Bearer"
                            + " <token>' (./orderly token operator, or the monitoring client's for metrics).");
        }
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException refusal)
            throws IOException, ServletException {
        denied.handle(request, response, refusal);
        String detail = scopes.needed(request)
                .map("This request needs scope '%s', which the access token does not grant."::formatted)
                .orElse("The access token does not grant what this request needs.");
        write(request, response, "insufficient-scope", "Insufficient scope", detail);
    }

    private void write(
            HttpServletRequest request, HttpServletResponse response, String type, String title, String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", TYPE_PREFIX + type);
        problem.put("title", title);
        problem.put("status", response.getStatus());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
