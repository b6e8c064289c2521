package dev.orderly.api.security;

/**
 * The scopes of order-api's API. Which requests need which is one list of common-security's
 * {@link dev.orderly.security.ScopeRule}s in {@link SecurityConfiguration}, which both grants access and names the
 * missing scope when a token lacks it (common-security's {@link dev.orderly.security.TokenProblems}), so that the two
 * can never disagree. docs/order-api.md has the same table for people. The management side's scopes are
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
}
