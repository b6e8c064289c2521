package dev.orderly.contracts;

import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A message body that is not a valid Orderly event: it cannot be parsed, breaks its schema, or names an event
 * type or version this build does not know.
 *
 * <p>Invariant: carries the {@link Problem} and whatever identity could still be read from the body (event id,
 * type, version), so a consumer can park the message with useful headers; such a message is never dropped and
 * retrying it cannot help.
 */
public final class InvalidEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What is wrong with the body; each value is a stable name suitable for a parking-lot header. */
    public enum Problem {
        /** The body is not JSON at all (or is empty). */
        UNPARSEABLE,
        /** The body is JSON but breaks the envelope schema or its event's data schema. */
        SCHEMA_INVALID,
        /** The event type is not in this build's catalogue. */
        UNKNOWN_EVENT_TYPE,
        /** The event type is known but not at this version. */
        UNKNOWN_VERSION
    }

    private final Problem problem;
    private final @Nullable String eventId;
    private final @Nullable String eventType;
    private final @Nullable Integer eventVersion;

    public InvalidEventException(
            Problem problem,
            String message,
            @Nullable String eventId,
            @Nullable String eventType,
            @Nullable Integer eventVersion,
            @Nullable Throwable cause) {
        super(message, cause);
        this.problem = problem;
        this.eventId = eventId;
        this.eventType = eventType;
        this.eventVersion = eventVersion;
    }

    /** What is wrong with the body. */
    public Problem problem() {
        return problem;
    }

    /** The {@code event_id} text of the body, if it could be read (it may not be a valid UUID). */
    public Optional<String> eventId() {
        return Optional.ofNullable(eventId);
    }

    /** The {@code event_type} of the body, if it could be read. */
    public Optional<String> eventType() {
        return Optional.ofNullable(eventType);
    }

    /** The {@code event_version} of the body, if it could be read. */
    public OptionalInt eventVersion() {
        return eventVersion == null ? OptionalInt.empty() : OptionalInt.of(eventVersion);
    }
}
