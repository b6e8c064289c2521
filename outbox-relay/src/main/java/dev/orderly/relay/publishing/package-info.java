/** Confirm-gated publishing: one drainer per outbox table, publishing in id order and marking only confirmed rows. */
@NullMarked
package dev.orderly.relay.publishing;

import org.jspecify.annotations.NullMarked;
