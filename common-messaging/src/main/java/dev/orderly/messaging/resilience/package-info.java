/** Calls from a handler to an external provider, guarded so that every way they fail is a transient failure. */
@NullMarked
package dev.orderly.messaging.resilience;

import org.jspecify.annotations.NullMarked;
