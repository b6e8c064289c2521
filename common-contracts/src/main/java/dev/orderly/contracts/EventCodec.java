package dev.orderly.contracts;

import com.networknt.schema.Error;
import dev.orderly.contracts.InvalidEventException.Problem;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes envelopes as JSON and reads message bodies back into typed envelopes, validating each body against the
 * envelope schema and its event's data schema before binding it.
 *
 * <p>Invariant: {@link #fromJson(byte[])} returns only envelopes whose JSON satisfied both schemas of a known
 * (event type, version) pair; every other body raises {@link InvalidEventException} naming the problem, never
 * a half-read envelope. Thread-safe: create one and share it; schemas, the mapper and the readers are built once,
 * so a call costs one parse, two validations and one bind.
 */
public final class EventCodec {

    /** How many schema violations a message names before it says how many more there were. */
    private static final int REPORTED_VIOLATIONS = 5;

    private final JsonMapper mapper;
    private final SchemaCatalog catalog;
    private final Map<Class<? extends EventData>, ObjectReader> readers;

    /** A codec over the classpath's {@link SchemaCatalog}; fails if a schema is missing or broken. */
    public EventCodec() {
        this(SchemaCatalog.load());
    }

    /** A codec over an already loaded catalogue, to share one between codecs. */
    public EventCodec(SchemaCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
        this.mapper = Json.mapper();
        Map<Class<? extends EventData>, ObjectReader> byType = new HashMap<>();
        for (SchemaCatalog.Entry entry : catalog.entries()) {
            byType.put(entry.dataType(), mapper.readerFor(entry.dataType()));
        }
        this.readers = Map.copyOf(byType);
    }

    /** The catalogue this codec validates against. */
    public SchemaCatalog catalog() {
        return catalog;
    }

    /** The envelope as UTF-8 JSON. */
    public byte[] toJson(Envelope<?> envelope) {
        return mapper.writeValueAsBytes(Objects.requireNonNull(envelope, "envelope must not be null"));
    }

    /** The envelope as a JSON string. */
    public String toJsonString(Envelope<?> envelope) {
        return mapper.writeValueAsString(Objects.requireNonNull(envelope, "envelope must not be null"));
    }

    /**
     * Parses, validates and binds a message body.
     *
     * @throws InvalidEventException if the body is not JSON, breaks a schema, or names an unknown event type or
     *     version
     */
    public Envelope<?> fromJson(byte[] json) {
        Objects.requireNonNull(json, "json must not be null");
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JacksonException e) {
            throw unparseable(e);
        }
        return decode(tree);
    }

    /**
     * Parses, validates and binds a message body held as a string.
     *
     * @throws InvalidEventException if the body is not JSON, breaks a schema, or names an unknown event type or
     *     version
     */
    public Envelope<?> fromJson(String json) {
        Objects.requireNonNull(json, "json must not be null");
        return fromJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private Envelope<?> decode(@Nullable JsonNode tree) {
        if (tree == null || tree.isMissingNode()) {
            throw new InvalidEventException(Problem.UNPARSEABLE, "not JSON: the body is empty", null, null, null, null);
        }
        String eventId = textOrNull(tree, "event_id");
        String eventType = textOrNull(tree, "event_type");
        Integer eventVersion = intOrNull(tree, "event_version");

        List<Error> envelopeErrors = catalog.envelopeSchema().validate(tree);
        if (!envelopeErrors.isEmpty()) {
            String subject =
                    eventType == null ? "" : eventType + (eventVersion == null ? "" : " v" + eventVersion) + " ";
            throw new InvalidEventException(
                    Problem.SCHEMA_INVALID,
                    subject + "envelope is schema-invalid: " + describe(envelopeErrors, ""),
                    eventId,
                    eventType,
                    eventVersion,
                    null);
        }
        // The envelope schema guarantees the three are present and well typed from here on.
        String type = Objects.requireNonNull(eventType);
        int version = Objects.requireNonNull(eventVersion);

        SchemaCatalog.Entry entry = catalog.find(type, version).orElseThrow(() -> unknown(eventId, type, version));
        JsonNode data = tree.get("data");
        List<Error> dataErrors = entry.schema().validate(data);
        if (!dataErrors.isEmpty()) {
            throw new InvalidEventException(
                    Problem.SCHEMA_INVALID,
                    type + " v" + version + " is schema-invalid: " + describe(dataErrors, "data"),
                    eventId,
                    type,
                    version,
                    null);
        }
        try {
            EventData payload = readers.get(entry.dataType()).readValue(data);
            return new Envelope<>(
                    UUID.fromString(tree.get("event_id").asString()),
                    type,
                    version,
                    Instant.parse(tree.get("occurred_at").asString()),
                    tree.get("producer").asString(),
                    tree.get("correlation_id").asString(),
                    payload);
        } catch (JacksonException e) {
            throw new InvalidEventException(
                    Problem.SCHEMA_INVALID,
                    type + " v" + version + " is schema-valid but does not bind to "
                            + entry.dataType().getSimpleName() + ": " + rootMessage(e),
                    eventId,
                    type,
                    version,
                    e);
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new InvalidEventException(
                    Problem.SCHEMA_INVALID,
                    type + " v" + version + " is schema-valid but breaks an invariant: " + e.getMessage(),
                    eventId,
                    type,
                    version,
                    e);
        }
    }

    private InvalidEventException unknown(@Nullable String eventId, String type, int version) {
        SortedSet<Integer> known = catalog.knownVersions(type);
        if (known.isEmpty()) {
            return new InvalidEventException(
                    Problem.UNKNOWN_EVENT_TYPE,
                    "unknown event_type '" + type + "' (known: " + String.join(", ", catalog.eventTypes()) + ")",
                    eventId,
                    type,
                    version,
                    null);
        }
        return new InvalidEventException(
                Problem.UNKNOWN_VERSION,
                "unknown event_version " + version + " for " + type + " (known: " + joined(known) + ")",
                eventId,
                type,
                version,
                null);
    }

    private static InvalidEventException unparseable(JacksonException e) {
        StringBuilder message = new StringBuilder("not JSON: ").append(e.getOriginalMessage());
        TokenStreamLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message.append(" at line ")
                    .append(location.getLineNr())
                    .append(" column ")
                    .append(location.getColumnNr());
        }
        return new InvalidEventException(Problem.UNPARSEABLE, message.toString(), null, null, null, e);
    }

    /** The first few violations as "{@code $.path: message}", joined by "; ". */
    private static String describe(List<Error> errors, String under) {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(errors.size(), REPORTED_VIOLATIONS);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                text.append("; ");
            }
            text.append(violation(errors.get(i), under));
        }
        if (errors.size() > shown) {
            text.append("; and ").append(errors.size() - shown).append(" more");
        }
        return text.toString();
    }

    private static String violation(Error error, String under) {
        String location = error.getInstanceLocation().toString();
        if (!under.isEmpty()) {
            // The data schema sees the data object as its root; report the path within the whole body.
            location = "$." + under + location.substring(1);
        }
        return location + ": " + message(error);
    }

    /** The library's message, reworded where it reads poorly; never echoes the offending value. */
    private static String message(Error error) {
        Object[] arguments = error.getArguments();
        String keyword = error.getKeyword();
        if ("type".equals(keyword) && arguments != null && arguments.length == 2) {
            return arguments[1] + " expected, " + arguments[0] + " found";
        }
        if ("format".equals(keyword) && arguments != null && arguments.length >= 1) {
            return "not a valid " + arguments[0];
        }
        String message = error.getMessage();
        String prefix = error.getInstanceLocation() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private static String rootMessage(JacksonException e) {
        Throwable cause = e.getCause();
        return cause instanceof IllegalArgumentException || cause instanceof NullPointerException
                ? cause.getMessage()
                : e.getOriginalMessage();
    }

    private static String joined(SortedSet<Integer> versions) {
        StringBuilder text = new StringBuilder();
        for (Integer version : versions) {
            if (!text.isEmpty()) {
                text.append(", ");
            }
            text.append(version);
        }
        return text.toString();
    }

    private static @Nullable String textOrNull(JsonNode tree, String field) {
        JsonNode node = tree.get(field);
        return node != null && node.isString() ? node.asString() : null;
    }

    private static @Nullable Integer intOrNull(JsonNode tree, String field) {
        JsonNode node = tree.get(field);
        return node != null && node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
    }
}
