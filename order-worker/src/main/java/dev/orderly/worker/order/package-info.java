/** The order worker: stock reservation and order state transitions (arrives with the workers issue). */
@NullMarked
package dev.orderly.worker.order;

import org.jspecify.annotations.NullMarked;
