package dev.orderly.relay.publishing;

import dev.orderly.relay.outbox.OutboxRow;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.ReturnedMessage;

/**
 * The first row of a batch that did not get a clean confirm, and why. Every later row of the batch stays unpublished
 * with it, so rows keep their order.
 *
 * <p>Built only through the factories below, one per way a publish can fail, like {@link
 * org.springframework.amqp.rabbit.connection.CorrelationData.Confirm} names a confirm's outcome. Invariant: each
 * factory fixes the reason and both flags for its case, so a row is never blamed for a broker it could not reach, and
 * a row that cannot go out (unpublishable, unroutable, held back) never opens the circuit breaker.
 *
 * @param row the first row that failed
 * @param reason the kind of failure (the metric tag)
 * @param detail what happened, in words an operator can act on
 * @param rowAttempted whether the row itself was put to the broker (then the attempt is recorded on the row); false
 *     when the broker could not even be reached, which says nothing about the row
 * @param brokerFault whether the failure says the broker is unwell (counts towards the circuit breaker): true for
 *     timeouts, connection errors and channels closed before their confirms, false for the broker's own nacks (a queue
 *     that cannot take the message just then, such as a quorum queue electing a leader), returns and rows that cannot
 *     be turned into a message
 */
record PublishFailure(OutboxRow row, Reason reason, String detail, boolean rowAttempted, boolean brokerFault) {

    /**
     * Why a row's publish did not count as sent; the {@code reason} tag of {@code orderly.outbox.publish.failures}.
     * (Not to be confused with why a consumer parks a message: that is common-messaging's.)
     *
     * <p>Invariant: every outcome other than "acked and not returned" is one of these, so no failure goes uncounted.
     */
    enum Reason {

        /** The broker refused the message (basic.nack), or the channel closed before confirming it. */
        NACK("nack"),

        /** The broker acked the message but could not route it anywhere (mandatory return): not a success. */
        RETURNED("returned"),

        /** No confirm arrived within {@code orderly.relay.publish.confirm-timeout}. */
        TIMEOUT("timeout"),

        /** Publishing failed outright: no connection or channel, or the row cannot be turned into a message. */
        ERROR("error"),

        /**
         * Not sent: a work queue the event must reach is not bound for it (or the relay cannot tell), so the broker
         * would confirm it and lose it for that queue ({@code orderly.relay.routes}).
         */
        MISSING_ROUTE("missing_route");

        private final String tag;

        Reason(String tag) {
            this.tag = tag;
        }

        /** The metric tag value. */
        String tag() {
            return tag;
        }
    }

    /**
     * The broker refused the row (basic.nack, {@code reason} null), or its channel closed before confirming it (Spring
     * AMQP's nack with the closing reason).
     *
     * <p>Only a closed channel counts towards the circuit breaker. A basic.nack comes from a broker that is reachable
     * and answering: a queue the message was routed to could not take it just then, which in a cluster is what every
     * quorum queue whose leader was lost says until a new leader is elected (a few seconds). The row backs off and is
     * tried again like any other failure; opening the breaker on top would hold the whole table for its open state
     * (10 s) after the queues were long back, and again each time a half-open trial fell into the election.
     */
    static PublishFailure nack(OutboxRow row, @Nullable String reason) {
        return new PublishFailure(
                row,
                Reason.NACK,
                "RabbitMQ did not take it (nack): " + (reason != null ? reason : "no reason given"),
                true,
                reason != null);
    }

    /**
     * The broker acked the row but returned it: no queue is bound for it and the exchange has no alternate exchange.
     * The broker is well; the topology is not.
     */
    static PublishFailure returned(OutboxRow row, ReturnedMessage returned) {
        return new PublishFailure(
                row,
                Reason.RETURNED,
                "RabbitMQ returned it as unroutable (%d %s) from exchange '%s' with routing key '%s': no queue "
                                .formatted(
                                        returned.getReplyCode(),
                                        returned.getReplyText(),
                                        returned.getExchange(),
                                        returned.getRoutingKey())
                        + "is bound for it and the exchange has no alternate exchange",
                true,
                false);
    }

    /** No confirm of the row arrived within {@code confirmTimeout} after it was sent. */
    static PublishFailure timeout(OutboxRow row, Duration confirmTimeout) {
        return new PublishFailure(
                row,
                Reason.TIMEOUT,
                "RabbitMQ did not confirm it within %s (orderly.relay.publish.confirm-timeout)"
                        .formatted(confirmTimeout),
                true,
                true);
    }

    /**
     * No channel could be opened, so nothing was sent: the broker is unreachable or refused the connection. The run's
     * first row is named as where the table stands, not blamed.
     */
    static PublishFailure unreachable(OutboxRow firstRow, AmqpException cause) {
        return new PublishFailure(
                firstRow, Reason.ERROR, "could not open a channel to RabbitMQ: " + describe(cause), false, true);
    }

    /** Sending the row on an open channel failed. */
    static PublishFailure sendFailed(OutboxRow row, AmqpException cause) {
        return new PublishFailure(row, Reason.ERROR, "publishing to RabbitMQ failed: " + describe(cause), true, true);
    }

    /** The row cannot be turned into a message as it is (its headers are not a JSON object): not the broker's fault. */
    static PublishFailure unpublishable(OutboxRow row, @Nullable String why) {
        return new PublishFailure(row, Reason.ERROR, "cannot be published: " + why, true, false);
    }

    /**
     * The route check holds the row back ({@code why}): a work queue it must reach is not bound for it, or the relay
     * cannot tell. Nothing was sent, and neither the row nor the broker is at fault.
     */
    static PublishFailure missingRoute(OutboxRow row, String why) {
        return new PublishFailure(row, Reason.MISSING_ROUTE, why, false, false);
    }

    /** The row's confirm completed exceptionally. */
    static PublishFailure confirmFailed(OutboxRow row, @Nullable Throwable cause) {
        return new PublishFailure(row, Reason.ERROR, "its confirm failed: " + cause, true, true);
    }

    /** The publishing thread was interrupted while it awaited the row's confirm: says nothing about row or broker. */
    static PublishFailure interrupted(OutboxRow row) {
        return new PublishFailure(row, Reason.ERROR, "interrupted while awaiting its confirm", false, false);
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
            text.append(" (").append(cause.getMessage()).append(')');
        }
        return text.toString();
    }
}
