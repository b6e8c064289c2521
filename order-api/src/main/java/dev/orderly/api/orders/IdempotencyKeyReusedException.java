package dev.orderly.api.orders;

import java.util.UUID;

/** An {@code Idempotency-Key} already answered a different request body. Answered with 422; nothing is stored. */
class IdempotencyKeyReusedException extends RuntimeException {

    IdempotencyKeyReusedException(UUID firstOrderId) {
        super(("This Idempotency-Key was first used for a different request body (it created order %s). "
                        + "Send the same body to get the first answer again, or use a new key for a new order.")
                .formatted(firstOrderId));
    }
}
