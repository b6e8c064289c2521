package dev.orderly.api.orders;

/** An {@code Idempotency-Key} header that is empty, too long or not printable ASCII. Answered with 400. */
class InvalidIdempotencyKeyException extends RuntimeException {

    InvalidIdempotencyKeyException(String reason) {
        super(reason);
    }
}
