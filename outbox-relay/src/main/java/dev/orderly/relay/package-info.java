/**
 * The outbox relay: publishes every configured outbox table's rows to RabbitMQ, marking a row published only after
 * the broker confirmed it, with one active instance per table.
 */
@NullMarked
package dev.orderly.relay;

import org.jspecify.annotations.NullMarked;
