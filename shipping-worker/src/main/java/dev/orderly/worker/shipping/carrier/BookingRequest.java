package dev.orderly.worker.shipping.carrier;

/**
 * A parcel to book.
 *
 * @param idempotencyKey the deterministic key of the booking: the order id
 */
public record BookingRequest(String idempotencyKey, String customerId) {}
