package dev.orderly.api.orders;

/**
 * A {@code POST /orders} body named a {@code customer_id} other than the customer its access token acts for. Answered
 * with 403 {@code customer-mismatch}; nothing is stored. The customer is the token's: a client cannot order for
 * another by naming it.
 */
class CustomerMismatchException extends RuntimeException {

    CustomerMismatchException(String tokenCustomer) {
        super(("customer_id is not the customer this access token acts for ('%s'). Leave customer_id out, the token "
                        + "names the customer, or send '%s'; nothing was stored.")
                .formatted(tokenCustomer, tokenCustomer));
    }
}
