package dev.orderly.worker.payment.gateway;

/**
 * A charge to authorize.
 *
 * @param idempotencyKey the deterministic key of the charge: the order id
 */
public record AuthorizationRequest(String idempotencyKey, String customerId, long amountCents, String currency) {}
