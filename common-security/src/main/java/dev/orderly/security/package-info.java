/**
 * Who may call a service's management side: an OAuth2 resource server (JWT) in front of the actuator, the health
 * probes open, every other endpoint behind the scope {@link dev.orderly.security.ManagementScopes} gives it.
 */
@NullMarked
package dev.orderly.security;

import org.jspecify.annotations.NullMarked;
