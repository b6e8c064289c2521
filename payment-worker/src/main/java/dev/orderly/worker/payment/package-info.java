/** payment-worker: authorizes the charge for each reserved order through the payment gateway, exactly once. */
@NullMarked
package dev.orderly.worker.payment;

import org.jspecify.annotations.NullMarked;
