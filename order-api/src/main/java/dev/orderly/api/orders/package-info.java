/** Placing and reading orders: the HTTP resource, its idempotency keys, and the tables behind them. */
@NullMarked
package dev.orderly.api.orders;

import org.jspecify.annotations.NullMarked;
