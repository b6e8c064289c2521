/**
 * Calls from a handler to an external provider, guarded so that every way they fail is a transient failure; the
 * registries the guards come from; and the faults a built-in provider simulator injects to exercise them.
 */
@NullMarked
package dev.orderly.messaging.resilience;

import org.jspecify.annotations.NullMarked;
