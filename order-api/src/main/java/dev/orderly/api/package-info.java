/** order-api: takes orders over HTTP and stores each with its {@code order.created} outbox row in one transaction. */
@NullMarked
package dev.orderly.api;

import org.jspecify.annotations.NullMarked;
