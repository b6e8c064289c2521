/** Wake-ups: the relay listens for the producers' after-commit notifications on a connection of its own. */
@NullMarked
package dev.orderly.relay.wakeup;

import org.jspecify.annotations.NullMarked;
