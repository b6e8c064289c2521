/** The backlog gauges: unpublished rows and the age of the oldest, per outbox table, measured on a schedule. */
@NullMarked
package dev.orderly.relay.metrics;

import org.jspecify.annotations.NullMarked;
