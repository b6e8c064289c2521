/**
 * console: the operator's console, one page with the pipeline's health and its parking lots (docs/console.md). It
 * holds no data of its own: every number and every action is a call to a service's own authorized endpoint, made with
 * the signed-in user's access token, or to the broker's management API.
 */
@NullMarked
package dev.orderly.console;

import org.jspecify.annotations.NullMarked;
