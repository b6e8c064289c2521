/** order-worker: reserves stock for new orders and moves orders through their states as payment and shipping report. */
@NullMarked
package dev.orderly.worker.order;

import org.jspecify.annotations.NullMarked;
