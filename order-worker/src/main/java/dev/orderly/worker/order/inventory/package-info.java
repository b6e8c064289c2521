/** Stock: reserving every line of an order at once, releasing it when payment is declined, fulfilling it on shipment. */
@NullMarked
package dev.orderly.worker.order.inventory;

import org.jspecify.annotations.NullMarked;
