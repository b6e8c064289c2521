package dev.orderly.tools;

/**
 * A failure the command explains to the person who ran it: what went wrong and what to do; printed without a stack
 * trace, and the command exits with status 1.
 */
final class OrderlyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    OrderlyException(String message) {
        super(message);
    }

    OrderlyException(String message, Throwable cause) {
        super(message, cause);
    }
}
