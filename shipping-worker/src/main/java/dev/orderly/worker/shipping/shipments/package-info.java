/** Shipments: each paid order booked with the carrier once, recorded, and announced. */
@NullMarked
package dev.orderly.worker.shipping.shipments;

import org.jspecify.annotations.NullMarked;
