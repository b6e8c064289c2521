/**
 * The {@code ./orderly} command: the pipeline's private servers and services on this machine, their status and logs,
 * and the parking lots.
 */
@NullMarked
package dev.orderly.tools;

import org.jspecify.annotations.NullMarked;
