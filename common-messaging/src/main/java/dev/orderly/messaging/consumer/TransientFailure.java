package dev.orderly.messaging.consumer;

/**
 * A failure that may pass if the same message is tried again later: a gateway or carrier that is unavailable, a
 * dependency that timed out, an order whose earlier event has not been applied yet.
 *
 * <p>Invariant: a handler or gateway throws this only when retrying cannot do harm, so the runtime republishes the
 * message to its next retry tier (until the attempts are exhausted) rather than parking it.
 */
public class TransientFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
