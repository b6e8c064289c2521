/** The reliable publish and consume runtime shared by the relay and the workers (arrives with the workers issue). */
@NullMarked
package dev.orderly.messaging;

import org.jspecify.annotations.NullMarked;
