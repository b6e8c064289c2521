package dev.orderly.api.security;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Who calls, as an access token says: the customer it acts for (the claim {@code orderly.api.security.customer-claim}
 * names, the subject by default) and whether it may read every customer's orders ({@code orders:read-all}).
 *
 * <p>Invariant: a caller's customer is 1 to 64 characters without control characters, as a stored order's is; a
 * token whose claim is missing or is not such a name is refused ({@link UnusableCustomerClaimException}) before
 * anything is stored or read for it.
 *
 * @param customerId the customer the token acts for: the one the orders it places belong to
 * @param readsAll whether it may read the orders of every customer
 */
public record Caller(String customerId, boolean readsAll) {

    private static final Pattern CUSTOMER = Pattern.compile("[^\\p{Cntrl}]{1,64}");

    /**
     * The caller of an authenticated request, from the token's principal name, which {@link SecurityConfiguration}
     * takes from the customer claim.
     *
     * @throws UnusableCustomerClaimException if the token names no customer, or one that cannot be stored
     */
    public static Caller of(Authentication authentication) {
        @Nullable String customer = authentication.getName();
        if (customer == null
                || customer.isBlank()
                || !CUSTOMER.matcher(customer).matches()) {
            throw new UnusableCustomerClaimException(customer == null || customer.isBlank());
        }
        boolean readsAll = authentication.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .anyMatch(Scopes.authority(Scopes.ORDERS_READ_ALL)::equals);
        return new Caller(customer, readsAll);
    }

    /** Whether this caller may see an order of {@code owner}: its own, or any with {@code orders:read-all}. */
    public boolean mayRead(String owner) {
        return readsAll || customerId.equals(owner);
    }
}
