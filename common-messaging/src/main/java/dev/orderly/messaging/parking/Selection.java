package dev.orderly.messaging.parking;

import org.jspecify.annotations.Nullable;

/**
 * Which parked messages an operation applies to: one id, every message of an event type, every message parked for a
 * reason, or all of them.
 *
 * <p>Invariant: exactly one criterion is set; an empty selection is refused rather than read as "all", so a replay or
 * purge with a missing parameter never touches the whole parking lot.
 */
public record Selection(
        @Nullable Long id,
        @Nullable String eventType,
        @Nullable String reason,
        boolean all) {

    public Selection {
        int criteria = (id != null ? 1 : 0) + (eventType != null ? 1 : 0) + (reason != null ? 1 : 0) + (all ? 1 : 0);
        if (criteria != 1) {
            throw new IllegalArgumentException("Select parked messages by exactly one of: id, eventType, reason, or "
                    + "all=true (got " + criteria + " criteria)");
        }
    }

    /** How it is written in the audit trail. */
    String describe() {
        if (id != null) {
            return "id=" + id;
        }
        if (eventType != null) {
            return "eventType=" + eventType;
        }
        if (reason != null) {
            return "reason=" + reason;
        }
        return "all";
    }
}
