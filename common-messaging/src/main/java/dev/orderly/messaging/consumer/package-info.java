/**
 * The reliable-listener runtime: consumes a domain's work queue with manual acks, applies each event once in one
 * transaction with its processed-event record, and retries or parks failures through confirmed republishes.
 */
@NullMarked
package dev.orderly.messaging.consumer;

import org.jspecify.annotations.NullMarked;
