package dev.orderly.messaging.parking;

import dev.orderly.contracts.Json;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;

/**
 * The {@code parked_messages} table of a service's schema: parked messages kept where they can be paged, filtered,
 * inspected, replayed and purged ({@link ParkingAudit} records every replay and purge).
 *
 * <p>Invariant: a row holds everything needed to rebuild the message (body bytes unchanged, properties, headers), and
 * its {@code fingerprint} is unique, so recording the same parked delivery twice (the ack after the insert was lost)
 * keeps one row.
 */
public final class ParkedMessages {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final String messages;

    public ParkedMessages(JdbcClient jdbc, String schema) {
        this.jdbc = jdbc;
        // The schema comes from validated configuration (a plain identifier), never from a request.
        this.messages = schema + ".parked_messages";
    }

    /** One parked message as listed: what it is and why it was parked. */
    public record Summary(
            long id,
            @Nullable String messageId,
            @Nullable String eventType,
            String reason,
            @Nullable String exception,
            @Nullable Integer attempts,
            @Nullable String originalRoutingKey,
            Instant parkedAt) {}

    /** One parked message in full; the body as text if it is UTF-8, else base64. */
    public record Detail(
            Summary summary,
            Map<String, Object> properties,
            Map<String, Object> headers,
            String body,
            String bodyEncoding) {}

    /**
     * The parked messages of one reason and event type, counted, with when the oldest and the newest were parked: what
     * an operator looks at first (one fault usually parks many messages alike) and replays or purges together.
     */
    public record Group(String reason, @Nullable String eventType, long count, Instant oldest, Instant newest) {}

    /** One page of parked messages, oldest first. */
    public record Page(int page, int size, long total, List<Summary> messages) {}

    /** A parked message as stored, for replay. */
    record Stored(long id, byte[] body, Map<String, Object> properties, Map<String, Object> headers) {}

    /** A parked message to record. */
    record NewParked(
            byte[] fingerprint,
            @Nullable String messageId,
            @Nullable String eventType,
            String reason,
            @Nullable String exception,
            @Nullable Integer attempts,
            @Nullable String originalRoutingKey,
            Instant parkedAt,
            Map<String, Object> properties,
            Map<String, Object> headers,
            byte[] body) {}

    /** Stores a parked message; false if it was already stored. */
    boolean record(NewParked parked) {
        return jdbc.sql("INSERT INTO " + messages + " (fingerprint, message_id, event_type, reason, exception, "
                                + "attempts, original_routing_key, parked_at, properties, headers, body) VALUES (:fingerprint, "
                                + ":messageId, :eventType, :reason, :exception, :attempts, :originalRoutingKey, :parkedAt, "
                                + "CAST(:properties AS jsonb), CAST(:headers AS jsonb), :body) "
                                + "ON CONFLICT (fingerprint) DO NOTHING")
                        .param("fingerprint", parked.fingerprint())
                        .param("messageId", parked.messageId())
                        .param("eventType", parked.eventType())
                        .param("reason", parked.reason())
                        .param("exception", parked.exception())
                        .param("attempts", parked.attempts())
                        .param("originalRoutingKey", parked.originalRoutingKey())
                        .param("parkedAt", OffsetDateTime.ofInstant(parked.parkedAt(), java.time.ZoneOffset.UTC))
                        .param("properties", Json.mapper().writeValueAsString(parked.properties()))
                        .param("headers", Json.mapper().writeValueAsString(parked.headers()))
                        .param("body", parked.body())
                        .update()
                == 1;
    }

    /** A page of parked messages, optionally of one event type and/or reason. */
    public Page list(int page, int size, @Nullable String eventType, @Nullable String reason) {
        String where = " WHERE (CAST(:eventType AS text) IS NULL OR event_type = :eventType)"
                + " AND (CAST(:reason AS text) IS NULL OR reason = :reason)";
        long total = jdbc.sql("SELECT count(*) FROM " + messages + where)
                .param("eventType", eventType)
                .param("reason", reason)
                .query(Long.class)
                .single();
        List<Summary> rows = jdbc.sql("SELECT id, message_id, event_type, reason, exception, attempts, "
                        + "original_routing_key, parked_at FROM " + messages + where
                        + " ORDER BY id LIMIT :size OFFSET :offset")
                .param("eventType", eventType)
                .param("reason", reason)
                .param("size", size)
                .param("offset", (long) page * size)
                .query((rs, n) -> summary(rs))
                .list();
        return new Page(page, size, total, rows);
    }

    /** Every group of parked messages ({@link Group}), the largest first. */
    public List<Group> groups() {
        return jdbc.sql(
                        "SELECT reason, event_type, count(*) AS count, min(parked_at) AS oldest, max(parked_at) AS newest"
                                + " FROM " + messages
                                + " GROUP BY reason, event_type ORDER BY count DESC, reason, event_type")
                .query((rs, n) -> new Group(
                        rs.getString("reason"),
                        rs.getString("event_type"),
                        rs.getLong("count"),
                        rs.getObject("oldest", OffsetDateTime.class).toInstant(),
                        rs.getObject("newest", OffsetDateTime.class).toInstant()))
                .list();
    }

    /** One parked message in full. */
    public Optional<Detail> find(long id) {
        return jdbc.sql("SELECT id, message_id, event_type, reason, exception, attempts, original_routing_key, "
                        + "parked_at, properties::text AS properties, headers::text AS headers, body FROM " + messages
                        + " WHERE id = ?")
                .param(id)
                .query((rs, n) -> {
                    byte[] body = rs.getBytes("body");
                    String text = utf8(body);
                    return new Detail(
                            summary(rs),
                            Json.mapper().readValue(rs.getString("properties"), MAP),
                            Json.mapper().readValue(rs.getString("headers"), MAP),
                            text != null ? text : java.util.Base64.getEncoder().encodeToString(body),
                            text != null ? "utf-8" : "base64");
                })
                .optional();
    }

    /** Up to {@code limit} selected rows, oldest first, locked for this transaction; rows others hold are skipped. */
    List<Stored> lock(Selection selection, int limit) {
        return jdbc.sql("SELECT id, body, properties::text AS properties, headers::text AS headers FROM " + messages
                        + where(selection) + " ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED")
                .params(params(selection))
                .param("limit", limit)
                .query((rs, n) -> new Stored(
                        rs.getLong("id"),
                        rs.getBytes("body"),
                        Json.mapper().readValue(rs.getString("properties"), MAP),
                        Json.mapper().readValue(rs.getString("headers"), MAP)))
                .list();
    }

    /** How many rows a selection matches. */
    long count(Selection selection) {
        return jdbc.sql("SELECT count(*) FROM " + messages + where(selection))
                .params(params(selection))
                .query(Long.class)
                .single();
    }

    void delete(long id) {
        jdbc.sql("DELETE FROM " + messages + " WHERE id = ?").param(id).update();
    }

    /** Deletes every selected row; returns how many. */
    int purge(Selection selection) {
        return jdbc.sql("DELETE FROM " + messages + where(selection))
                .params(params(selection))
                .update();
    }

    private static String where(Selection selection) {
        if (selection.id() != null) {
            return " WHERE id = :id";
        }
        if (selection.eventType() != null && selection.reason() != null) {
            return " WHERE event_type = :eventType AND reason = :reason";
        }
        if (selection.eventType() != null) {
            return " WHERE event_type = :eventType";
        }
        if (selection.reason() != null) {
            return " WHERE reason = :reason";
        }
        return "";
    }

    private static Map<String, Object> params(Selection selection) {
        java.util.HashMap<String, Object> params = new java.util.HashMap<>();
        params.put("id", selection.id());
        params.put("eventType", selection.eventType());
        params.put("reason", selection.reason());
        return params;
    }

    private static Summary summary(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Summary(
                rs.getLong("id"),
                rs.getString("message_id"),
                rs.getString("event_type"),
                rs.getString("reason"),
                rs.getString("exception"),
                (Integer) rs.getObject("attempts"),
                rs.getString("original_routing_key"),
                rs.getObject("parked_at", OffsetDateTime.class).toInstant());
    }

    private static @Nullable String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
