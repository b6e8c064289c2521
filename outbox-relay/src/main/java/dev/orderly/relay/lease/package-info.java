/** The lease: one active relay instance per outbox table, held as a PostgreSQL session-level advisory lock. */
@NullMarked
package dev.orderly.relay.lease;

import org.jspecify.annotations.NullMarked;
