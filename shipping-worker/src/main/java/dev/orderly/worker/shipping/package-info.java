/** shipping-worker: books a parcel with the carrier for every paid order, exactly once. */
@NullMarked
package dev.orderly.worker.shipping;

import org.jspecify.annotations.NullMarked;
