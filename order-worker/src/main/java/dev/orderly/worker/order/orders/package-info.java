/** Order states: each event moves an order only from the state that allows it, and lands on its timeline. */
@NullMarked
package dev.orderly.worker.order.orders;

import org.jspecify.annotations.NullMarked;
