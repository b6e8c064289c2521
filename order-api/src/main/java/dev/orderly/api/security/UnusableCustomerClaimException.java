package dev.orderly.api.security;

/**
 * A valid access token that names no customer order-api can act for: the customer claim is missing, blank, longer than
 * 64 characters or holds control characters. Answered with 403 {@code customer-claim-unusable}; nothing is stored or
 * read.
 */
class UnusableCustomerClaimException extends RuntimeException {

    UnusableCustomerClaimException(boolean missing) {
        super(
                missing
                        ? "The access token names no customer: its customer claim (orderly.api.security.customer-claim)"
                                + " is missing or blank. Ask for a token that names the customer the orders are for."
                        : "The access token's customer claim (orderly.api.security.customer-claim) is not a customer"
                                + " id: it must be 1 to 64 characters without control characters.");
    }
}
