package dev.orderly.api.ratelimit;

import dev.orderly.api.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Limits {@code POST /orders} per caller ({@link CallerLimits}): over the limit, {@code 429} {@code rate-limited} with
 * {@code Retry-After} (whole seconds, rounded up: when one more order's worth is back); every answer to the request
 * carries {@code X-RateLimit-Limit} (the caller's capacity) and {@code X-RateLimit-Remaining}.
 *
 * <p>order-api's security chain runs it right after its authorization filter ({@code SecurityConfiguration}), so it
 * sees only requests with a valid token that grants {@code orders:write}, and before anything reads the body or the
 * database. Invariant: a limited request never reaches the controller, so it stores nothing and reads nothing.
 *
 * <p>The caller is the authentication's name, the token's customer claim ({@code orderly.api.security.customer-claim},
 * as the security configuration makes it the principal), through the token's client: {@code client_id}, else
 * {@code azp}, else {@code sub}.
 */
public final class RateLimitFilter extends OncePerRequestFilter {

    static final String LIMIT = "X-RateLimit-Limit";
    static final String REMAINING = "X-RateLimit-Remaining";

    private final RequestMatcher placeOrder =
            PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, "/orders");
    private final CallerLimits limits;
    private final JsonMapper json;

    RateLimitFilter(CallerLimits limits, JsonMapper json) {
        this.limits = limits;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !limits.enabled() || !placeOrder.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken token) || authentication.getName() == null) {
            // Not reachable behind the authorization filter; whatever refuses such a request, this does not.
            chain.doFilter(request, response);
            return;
        }
        CallerLimits.Decision decision = limits.tryPlace(clientOf(token), authentication.getName());
        response.setHeader(LIMIT, Long.toString(decision.limit().capacity()));
        response.setHeader(REMAINING, Long.toString(decision.remaining()));
        if (decision.allowed()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = retryAfterSeconds(decision.retryAfter());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ProblemDetail problem = Problems.of(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                ("This caller may place %d orders at once and %d every %s after that, and is over that limit. Nothing "
                                + "was stored; retry after %d s (Retry-After).")
                        .formatted(
                                decision.limit().capacity(),
                                decision.limit().refill(),
                                decision.limit().refillPeriod(),
                                seconds));
        problem.setInstance(URI.create(request.getRequestURI()));
        Problems.write(response, problem, json);
    }

    /** The token's client: {@code client_id}, else {@code azp}, else {@code sub}; {@code ""} if it names none. */
    static String clientOf(JwtAuthenticationToken token) {
        return Stream.of("client_id", "azp", "sub")
                .map(claim -> token.getToken().getClaimAsString(claim))
                .filter(value -> value != null && !value.isBlank())
                .findFirst()
                .orElse("");
    }

    /** Whole seconds, rounded up, and at least 1: a client that retries after that many seconds gets in. */
    static long retryAfterSeconds(@Nullable Duration wait) {
        if (wait == null || wait.isNegative() || wait.isZero()) {
            return 1;
        }
        long seconds = wait.toSeconds();
        return wait.equals(Duration.ofSeconds(seconds)) ? seconds : seconds + 1;
    }
}
