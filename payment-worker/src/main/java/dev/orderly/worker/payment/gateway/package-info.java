/** The payment gateway: its contract, the built-in simulator, and the resilience4j guard every call goes through. */
@NullMarked
package dev.orderly.worker.payment.gateway;

import org.jspecify.annotations.NullMarked;
