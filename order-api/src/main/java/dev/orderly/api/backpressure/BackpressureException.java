package dev.orderly.api.backpressure;

import java.time.Duration;

/** New orders are refused for now because the outbox is not being drained fast enough. Answered with 503. */
public class BackpressureException extends RuntimeException {

    private final Duration retryAfter;

    BackpressureException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** How long the client should wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
