/** Parking-lot operations: parked messages recorded in the database, listed, inspected, replayed and purged. */
@NullMarked
package dev.orderly.messaging.parking;

import org.jspecify.annotations.NullMarked;
