/**
 * auth-server: the local run's and compose's stand-in for the user's identity provider; issues RS256-signed JWT
 * access tokens to client-credentials clients, one per role (docs/auth-server.md).
 */
@NullMarked
package dev.orderly.auth;

import org.jspecify.annotations.NullMarked;
