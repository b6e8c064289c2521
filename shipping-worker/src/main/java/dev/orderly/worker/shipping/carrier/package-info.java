/** The carrier: its contract, the built-in simulator, and the resilience4j guard every booking goes through. */
@NullMarked
package dev.orderly.worker.shipping.carrier;

import org.jspecify.annotations.NullMarked;
