package dev.orderly.relay.publishing;

import dev.orderly.relay.outbox.OutboxRow;

/**
 * The first row of a batch that did not get a clean confirm, and why. Every later row of the batch stays unpublished
 * with it, so rows keep their order.
 *
 * @param row the first row that failed
 * @param reason the kind of failure (the metric tag)
 * @param detail what happened, in words an operator can act on
 * @param rowAttempted whether the row itself was put to the broker (then the attempt is recorded on the row); false
 *     when the broker could not even be reached, which says nothing about the row
 * @param brokerFault whether the failure says the broker is unwell (counts towards the circuit breaker): true for
 *     nacks, timeouts and connection errors, false for returns and rows that cannot be turned into a message
 */
record PublishFailure(OutboxRow row, FailureReason reason, String detail, boolean rowAttempted, boolean brokerFault) {}
