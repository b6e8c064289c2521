package dev.orderly.worker.shipping.carrier;

/**
 * A parcel carrier that books shipments.
 *
 * <p>Invariant: idempotent by {@link BookingRequest#idempotencyKey()}: booking again with the same key returns the first
 * booking and never books a second parcel. Unavailability is signalled with {@link CarrierUnavailableException}.
 */
public interface Carrier {

    Booking book(BookingRequest request);
}
