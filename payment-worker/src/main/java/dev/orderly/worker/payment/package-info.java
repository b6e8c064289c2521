/** The payment worker: exactly-once authorization through the gateway (arrives with the workers issue). */
@NullMarked
package dev.orderly.worker.payment;

import org.jspecify.annotations.NullMarked;
