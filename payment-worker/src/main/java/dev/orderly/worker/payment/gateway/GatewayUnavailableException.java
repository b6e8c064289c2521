package dev.orderly.worker.payment.gateway;

import dev.orderly.messaging.consumer.TransientFailure;

/** The gateway could not be reached or answered with a temporary error; the charge may be asked for again. */
public class GatewayUnavailableException extends TransientFailure {

    private static final long serialVersionUID = 1L;

    public GatewayUnavailableException(String message) {
        super(message);
    }
}
