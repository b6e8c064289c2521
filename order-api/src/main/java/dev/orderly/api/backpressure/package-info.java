/** Refusing new orders while the outbox backlog says the pipeline behind the API is not keeping up. */
@NullMarked
package dev.orderly.api.backpressure;

import org.jspecify.annotations.NullMarked;
