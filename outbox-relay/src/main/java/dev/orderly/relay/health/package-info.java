/** The relay's health: whether its drainers run, and per table who is active and what holds it back. */
@NullMarked
package dev.orderly.relay.health;

import org.jspecify.annotations.NullMarked;
