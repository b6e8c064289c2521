/** A token bucket per caller on {@code POST /orders}: over the limit, 429 with {@code Retry-After}, nothing stored. */
@NullMarked
package dev.orderly.api.ratelimit;

import org.jspecify.annotations.NullMarked;
