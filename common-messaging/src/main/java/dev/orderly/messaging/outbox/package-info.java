/** The transactional outbox: how a service records the events it will publish, in the transaction of its change. */
@NullMarked
package dev.orderly.messaging.outbox;

import org.jspecify.annotations.NullMarked;
