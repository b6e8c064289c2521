package dev.orderly.messaging.consumer;

/**
 * A failure that no retry can fix: the message refers to something that does not exist, or asks for something that
 * can never be done.
 *
 * <p>Invariant: wherever it appears in a failure's cause chain it wins over any transient cause, so the message is
 * parked at once with this exception's message as its explanation, never retried.
 */
public class PermanentFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
