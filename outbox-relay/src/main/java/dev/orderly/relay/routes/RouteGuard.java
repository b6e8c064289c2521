package dev.orderly.relay.routes;

import org.jspecify.annotations.Nullable;

/**
 * What the publisher asks before it sends a row: may events of this type go out now? A {@link RouteCheck}, or
 * {@link #NONE} where routes are not checked.
 *
 * <p>Invariant: a guard that held events back tells its {@linkplain #onRestored listeners} when they may go out again,
 * so a drainer waiting on a missing route resumes at once instead of after its backoff.
 */
@FunctionalInterface
public interface RouteGuard {

    /** Checks nothing: {@code orderly.relay.routes.verify=false}, or the relay publishes to another exchange. */
    RouteGuard NONE = eventType -> null;

    /** Why events of {@code eventType} must wait, or null if they may be published now. */
    @Nullable
    String blockedReason(String eventType);

    /**
     * Registers something to run whenever events held back may go out again (every route is back). A guard that
     * holds nothing back never runs it.
     */
    default void onRestored(Runnable listener) {}
}
