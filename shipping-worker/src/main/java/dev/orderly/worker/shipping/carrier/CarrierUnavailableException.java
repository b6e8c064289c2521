package dev.orderly.worker.shipping.carrier;

import dev.orderly.messaging.consumer.TransientFailure;

/** The carrier could not be reached or answered with a temporary error; the booking may be asked for again. */
public class CarrierUnavailableException extends TransientFailure {

    private static final long serialVersionUID = 1L;

    public CarrierUnavailableException(String message) {
        super(message);
    }
}
