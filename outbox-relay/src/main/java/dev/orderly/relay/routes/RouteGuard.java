package dev.orderly.relay.routes;

import org.jspecify.annotations.Nullable;

/**
 * What the publisher asks before it sends a row: may events of this type go out now? A {@link RouteCheck}, or
 * {@link #NONE} where routes are not checked.
 */
@FunctionalInterface
public interface RouteGuard {

    /** Checks nothing: {@code orderly.relay.routes.verify=false}, or the relay publishes to another exchange. */
    RouteGuard NONE = eventType -> null;

    /** Why events of {@code eventType} must wait, or null if they may be published now. */
    @Nullable
    String blockedReason(String eventType);
}
