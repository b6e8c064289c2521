package dev.orderly.messaging.parking;

import org.jspecify.annotations.Nullable;

/**
 * Which parked messages an operation applies to: one id, every message of an event type, every message parked for a
 * reason, every message of one event type parked for one reason (a group, {@link ParkedMessages.Group}), or all of
 * them.
 *
 * <p>Invariant: an id or {@code all} stands alone, an event type and a reason alone or together; an empty selection is
 * refused rather than read as "all", so a replay or purge with a missing parameter never touches the whole parking
 * lot.
 */
public record Selection(
        @Nullable Long id,
        @Nullable String eventType,
        @Nullable String reason,
        boolean all) {

    public Selection {
        boolean group = eventType != null || reason != null;
        int criteria = (id != null ? 1 : 0) + (group ? 1 : 0) + (all ? 1 : 0);
        if (criteria != 1) {
            throw new IllegalArgumentException("Select parked messages by exactly one of: id, eventType and/or reason, "
                    + "or all=true (got " + (criteria == 0 ? "none" : "more than one") + ")");
        }
    }

    /** How it is written in the audit trail. */
    String describe() {
        if (id != null) {
            return "id=" + id;
        }
        if (eventType != null && reason != null) {
            return "eventType=" + eventType + ",reason=" + reason;
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
