/** Payments: each reserved order charged once through the gateway, recorded, and announced. */
@NullMarked
package dev.orderly.worker.payment.payments;

import org.jspecify.annotations.NullMarked;
