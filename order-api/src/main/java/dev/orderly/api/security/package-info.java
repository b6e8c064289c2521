/**
 * Who may call what: every request but the health probes and the API's description carries an access token (a JWT
 * checked by Spring's resource server), each resource needs its scope, and the customer is the token's, never the
 * body's. Refusals are problem details like every other.
 */
@NullMarked
package dev.orderly.api.security;

import org.jspecify.annotations.NullMarked;
