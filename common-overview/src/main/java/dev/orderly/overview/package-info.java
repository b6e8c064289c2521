/**
 * The pipeline's overview, one snapshot read from the services' own endpoints and the broker's management API: what
 * the console's page shows and {@code ./orderly top} prints. No Spring and no HTTP client of its own: the caller makes
 * the calls, with its own credentials.
 */
@NullMarked
package dev.orderly.overview;

import org.jspecify.annotations.NullMarked;
