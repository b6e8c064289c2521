/** The shipping worker: exactly-once shipment booking (arrives with the workers issue). */
@NullMarked
package dev.orderly.worker.shipping;

import org.jspecify.annotations.NullMarked;
