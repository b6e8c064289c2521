package dev.orderly.messaging.consumer;

import dev.orderly.contracts.InvalidEventException;
import dev.orderly.contracts.MessageHeaders;

/**
 * Why a message was parked: the value of its {@value MessageHeaders#FAILURE_REASON} header.
 *
 * <p>Invariant: the names are stable (operators filter replays by them); the four after {@link #SIGNATURE_INVALID} are the codec's
 * {@link InvalidEventException.Problem}s, spelled the same.
 */
public enum ParkingReason {
    /**
     * The signature is missing, made with a key this consumer does not accept, or does not match the body and signed
     * fields (header {@value MessageHeaders#SIGNATURE_FAILURE} says which); checked before the body is read.
     */
    SIGNATURE_INVALID,
    /** The body is not JSON. */
    UNPARSEABLE,
    /** The body breaks the envelope's or its event's schema. */
    SCHEMA_INVALID,
    /** The event type is not in this build's catalogue. */
    UNKNOWN_EVENT_TYPE,
    /** The event type is known, its version is not. */
    UNKNOWN_VERSION,
    /** A valid event of a type this consumer has no handler for (it is not bound for it). */
    UNHANDLED_EVENT_TYPE,
    /** The handler failed in a way no retry can fix. */
    PERMANENT_FAILURE,
    /** The handler failed transiently on every allowed attempt. */
    ATTEMPTS_EXHAUSTED,
    /** The broker dead-lettered it after its delivery limit: consumers kept dying or returning it. */
    DELIVERY_LIMIT;

    static ParkingReason of(InvalidEventException.Problem problem) {
        return valueOf(problem.name());
    }
}
