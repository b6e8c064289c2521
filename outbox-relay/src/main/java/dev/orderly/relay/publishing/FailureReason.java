package dev.orderly.relay.publishing;

/**
 * Why a row's publish did not count as sent; the {@code reason} tag of {@code orderly.outbox.publish.failures}.
 *
 * <p>Invariant: every outcome other than "acked and not returned" is one of these, so no failure goes uncounted.
 */
enum FailureReason {

    /** The broker refused the message (basic.nack), or the channel closed before confirming it. */
    NACK("nack"),

    /** The broker acked the message but could not route it anywhere (mandatory return): not a success. */
    RETURNED("returned"),

    /** No confirm arrived within {@code orderly.relay.publish.confirm-timeout}. */
    TIMEOUT("timeout"),

    /** Publishing failed outright: no connection or channel, or the row cannot be turned into a message. */
    ERROR("error"),

    /**
     * Not sent: a work queue the event must reach is not bound for it (or the relay cannot tell), so the broker would
     * confirm it and lose it for that queue ({@code orderly.relay.routes}).
     */
    MISSING_ROUTE("missing_route");

    private final String tag;

    FailureReason(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    String tag() {
        return tag;
    }
}
