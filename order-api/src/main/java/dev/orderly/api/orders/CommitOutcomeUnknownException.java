package dev.orderly.api.orders;

import java.util.UUID;

/**
 * The order's transaction had written everything and then failed while committing (typically: the connection to the
 * database broke during {@code COMMIT}). Nobody can tell from here whether PostgreSQL committed it, so the answer must
 * not say that nothing was stored. Answered with 503, naming the order id the order would have.
 */
class CommitOutcomeUnknownException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final UUID orderId;

    CommitOutcomeUnknownException(UUID orderId, RuntimeException cause) {
        super(
                "The connection to the database failed while order %s was being committed, so it may or may not have "
                                .formatted(orderId)
                        + "been stored. Retry the same request with the same Idempotency-Key: if the order was "
                        + "stored you get its first answer, otherwise it is stored now. Without an Idempotency-Key a "
                        + "retry may create a second order: check GET /orders/%s first.".formatted(orderId),
                cause);
        this.orderId = orderId;
    }

    UUID orderId() {
        return orderId;
    }
}
