/**
 * The routes the relay checks before it publishes: every work queue an event type must reach is bound for it on
 * {@code orders.events}, or that type's events wait.
 */
@NullMarked
package dev.orderly.relay.routes;

import org.jspecify.annotations.NullMarked;
