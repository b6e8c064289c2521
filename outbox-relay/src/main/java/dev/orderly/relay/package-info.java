/** The outbox relay: confirm-gated publishing of outbox rows (arrives with the relay issue). */
@NullMarked
package dev.orderly.relay;

import org.jspecify.annotations.NullMarked;
