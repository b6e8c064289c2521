/** Retention: published outbox rows are deleted in small batches once they are older than the retention. */
@NullMarked
package dev.orderly.relay.retention;

import org.jspecify.annotations.NullMarked;
