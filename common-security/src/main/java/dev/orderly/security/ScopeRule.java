package dev.orderly.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The requests a rule applies to, and the scope they need. A filter chain keeps its rules in one list that both grants
 * access (each rule's {@link #authority()}) and names the missing scope when a token lacks it ({@link TokenProblems}),
 * so the two never disagree.
 *
 * <p>Public for order-api, whose API chain is built from its own list of these ({@code Scopes} there), as the
 * management chain is from {@link ManagementScopes}.
 *
 * @param requests the requests the rule applies to
 * @param scope the scope they need, as it stands in the token's {@code scope} claim
 */
public record ScopeRule(RequestMatcher requests, String scope) {

    /** The authority Spring's resource server grants for {@link #scope()}: {@code SCOPE_} and the scope. */
    public String authority() {
        return ManagementScopes.authority(scope);
    }

    /** The scope the first rule matching {@code request} asks for; empty if none matches. */
    public static Optional<String> needed(List<ScopeRule> rules, HttpServletRequest request) {
        return rules.stream()
                .filter(rule -> rule.requests().matches(request))
                .map(ScopeRule::scope)
                .findFirst();
    }
}
