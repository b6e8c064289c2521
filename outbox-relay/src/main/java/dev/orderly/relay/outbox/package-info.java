/** Reading and updating outbox tables: the unpublished rows in id order, marking them sent, recording failures. */
@NullMarked
package dev.orderly.relay.outbox;

import org.jspecify.annotations.NullMarked;
