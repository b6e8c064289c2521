package dev.orderly.contracts;

/**
 * AMQP header names and property values that Orderly messages carry.
 *
 * <p>Invariant: every header Orderly invents starts with {@code orderly-}; names starting with {@code x-}
 * belong to the broker and are never set by us.
 */
public final class MessageHeaders {

    /** The envelope's {@code event_version}, repeated as a header so routing code need not parse the body. */
    public static final String EVENT_VERSION = "event_version";

    /** W3C trace context of the request that caused the event. */
    public static final String TRACEPARENT = "traceparent";

    /**
     * The service that produced the event (the envelope's {@code producer}), repeated as a header because the
     * signature covers it ({@link MessageSignature}).
     */
    public static final String PRODUCER = "orderly-producer";

    /**
     * The producer's HMAC-SHA256 over the message's signed fields and body: {@code v1=} and the MAC in unpadded
     * base64url ({@link MessageSignature}). Set once, by the producer when it writes the outbox row; no one else
     * ever changes it.
     */
    public static final String SIGNATURE = "orderly-signature";

    /** Which configured key made {@link #SIGNATURE}: the key's id, such as {@code k20261201}. */
    public static final String KEY_ID = "orderly-key-id";

    /**
     * Why a message parked {@code SIGNATURE_INVALID} failed its check: {@code MISSING}, {@code UNKNOWN_KEY} or
     * {@code MISMATCH}.
     */
    public static final String SIGNATURE_FAILURE = "orderly-signature-failure";

    /** The delivery attempt a retried message is on (1 for the first delivery). */
    public static final String ATTEMPT = "orderly-attempt";

    /** Why a message was parked: a short, stable reason such as {@code SCHEMA_INVALID}. */
    public static final String FAILURE_REASON = "orderly-failure-reason";

    /** The exception that made a message park: class name and message. */
    public static final String EXCEPTION = "orderly-exception";

    /** How many attempts were made before a message was parked. */
    public static final String ATTEMPTS = "orderly-attempts";

    /** The routing key a parked message was first published with, so a replay can restore it. */
    public static final String ORIGINAL_ROUTING_KEY = "orderly-original-routing-key";

    /** When a message was parked, ISO-8601 UTC. */
    public static final String PARKED_AT = "orderly-parked-at";

    /** When a parked message was replayed, ISO-8601 UTC. */
    public static final String REPLAYED_AT = "orderly-replayed-at";

    /**
     * On an event a consumer's handler wrote: how many times the delivery that caused it was retried before that
     * handler succeeded (absent when it was not), so the order's timeline can show each stage's retries. Not signed:
     * for display, never for a decision.
     */
    public static final String CAUSE_RETRIES = "orderly-cause-retries";

    /**
     * On an event a consumer's handler wrote: {@code true} when the delivery that caused it was a replay out of a
     * parking lot (absent otherwise). Not signed: for display, never for a decision.
     */
    public static final String CAUSE_REPLAYED = "orderly-cause-replayed";

    /** The {@code content_type} of every Orderly message body. */
    public static final String CONTENT_TYPE_JSON = "application/json";

    private MessageHeaders() {}
}
