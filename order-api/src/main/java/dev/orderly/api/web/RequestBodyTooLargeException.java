package dev.orderly.api.web;

import java.io.IOException;

/** A request body grew past the configured limit while it was being read. Answered with 413. */
class RequestBodyTooLargeException extends IOException {

    private final long limit;

    RequestBodyTooLargeException(long limit) {
        super("The request body is larger than %d bytes, the most this API accepts".formatted(limit));
        this.limit = limit;
    }

    long limit() {
        return limit;
    }
}
