package dev.orderly.security;

import java.util.List;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The scopes of the management side, and which requests need which: one table that both grants access
 * ({@link ManagementSecurityAutoConfiguration}) and names the missing scope when a token lacks it
 * ({@link TokenProblems}), so the two never disagree. docs/operations.md has the same table for people.
 *
 * <table>
 *   <caption>First matching rule wins</caption>
 *   <tr><td>{@code GET /actuator/prometheus}</td><td>{@code metrics:read}</td></tr>
 *   <tr><td>{@code GET /actuator/parkinglot}, {@code /{id}}, {@code /audit}</td><td>{@code parkinglot:read}</td></tr>
 *   <tr><td>{@code POST /actuator/parkinglot} (replay)</td><td>{@code parkinglot:replay}</td></tr>
 *   <tr><td>{@code DELETE /actuator/parkinglot} (purge)</td><td>{@code parkinglot:purge}</td></tr>
 *   <tr><td>every other endpoint, the links at {@code /actuator} and {@code /actuator/health} itself</td>
 *       <td>{@code actuator:read}</td></tr>
 * </table>
 *
 * <p>The liveness and readiness probes need no token (and show no details without one). Endpoints are matched by id
 * through Boot's {@link EndpointRequest}, so a moved base path or a separate management port changes nothing; an
 * endpoint a service does not expose (the relay has no parking lot) is simply never matched.
 */
public final class ManagementScopes {

    public static final String METRICS_READ = "metrics:read";
    public static final String PARKINGLOT_READ = "parkinglot:read";
    public static final String PARKINGLOT_REPLAY = "parkinglot:replay";
    public static final String PARKINGLOT_PURGE = "parkinglot:purge";
    public static final String ACTUATOR_READ = "actuator:read";

    private final List<ScopeRule> rules;

    /**
     * A table of its own per filter chain: Boot's endpoint matchers resolve their paths from the first application
     * context they see, so one shared between contexts (a management child context, tests) would match the wrong paths.
     */
    ManagementScopes() {
        this.rules = List.of(
                new ScopeRule(EndpointRequest.to("prometheus"), METRICS_READ),
                new ScopeRule(parkingLot(HttpMethod.GET), PARKINGLOT_READ),
                new ScopeRule(parkingLot(HttpMethod.POST), PARKINGLOT_REPLAY),
                new ScopeRule(parkingLot(HttpMethod.DELETE), PARKINGLOT_PURGE),
                new ScopeRule(EndpointRequest.toAnyEndpoint(), ACTUATOR_READ));
    }

    List<ScopeRule> rules() {
        return rules;
    }

    /** The authority Spring's resource server grants for a scope in the token's {@code scope} claim. */
    public static String authority(String scope) {
        return "SCOPE_" + scope;
    }

    private static RequestMatcher parkingLot(HttpMethod method) {
        return new AndRequestMatcher(EndpointRequest.to("parkinglot"), request -> method.matches(request.getMethod()));
    }
}
