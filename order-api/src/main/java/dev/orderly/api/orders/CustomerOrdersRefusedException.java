package dev.orderly.api.orders;

/**
 * {@code GET /orders?customer_id=} of another customer than the token's, without {@code orders:read-all}: 403
 * {@code customer-mismatch}, naming no order.
 */
class CustomerOrdersRefusedException extends RuntimeException {

    CustomerOrdersRefusedException(String tokenCustomer) {
        super(("customer_id is not the customer this access token acts for ('%s'), and listing another customer's "
                        + "orders needs scope orders:read-all. Leave customer_id out for your own.")
                .formatted(tokenCustomer));
    }
}
