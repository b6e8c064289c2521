package dev.orderly.api.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The scopes of order-api's API, and which requests need which: one table, that both grants access
 * ({@link SecurityConfiguration}) and names the missing scope when a token lacks it ({@link TokenProblems}), so that
 * the two can never disagree. docs/order-api.md has the same table for people. The management side's scopes are
 * common-security's.
 */
final class Scopes {

    static final String ORDERS_WRITE = "orders:write";
    static final String ORDERS_READ = "orders:read";
    static final String ORDERS_READ_ALL = "orders:read-all";
    static final String INVENTORY_WRITE = "inventory:write";
    static final String INVENTORY_READ = "inventory:read";

    private Scopes() {}

    /** The authority Spring's resource server grants for a scope in the token's {@code scope} claim. */
    static String authority(String scope) {
        return "SCOPE_" + scope;
    }

    /** Requests that need a scope: the first rule whose matcher matches the request applies. */
    record Rule(RequestMatcher requests, String scope) {}

    /** The scope the first matching rule asks for, if any rule matches. */
    static Optional<String> needed(List<Rule> rules, HttpServletRequest request) {
        return rules.stream()
                .filter(rule -> rule.requests().matches(request))
                .map(Rule::scope)
                .findFirst();
    }
}
