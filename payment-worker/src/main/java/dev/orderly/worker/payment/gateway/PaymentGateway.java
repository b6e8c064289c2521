package dev.orderly.worker.payment.gateway;

/**
 * A payment provider that authorizes charges.
 *
 * <p>Invariant: idempotent by {@link AuthorizationRequest#idempotencyKey()}: asking again with the same key returns
 * the first answer and never charges again, however often and however long after. Unavailability is signalled with
 * {@link GatewayUnavailableException}; a decline is an answer, not an exception.
 */
public interface PaymentGateway {

    Authorization authorize(AuthorizationRequest request);
}
