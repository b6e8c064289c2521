package dev.orderly.api.orders;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code idempotency_keys} table: for each key still within its retention, the hash of the request it first
 * answered and that answer.
 *
 * <p>Invariant: one key answers for one order. {@link #claim} inserts with {@code ON CONFLICT DO NOTHING}, so of two
 * transactions racing with one key, the second waits for the first to commit and then finds the key taken; if the
 * first rolls back, the second claims it. Concurrent requests with one key therefore create one order.
 */
@Repository
class IdempotencyKeys {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeys.class);

    private final JdbcClient jdbc;
    private final JsonMapper json;

    IdempotencyKeys(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** What a key remembers: the hash of the request it answered and the answer. */
    record Remembered(byte[] requestHash, OrderAccepted answer) {

        boolean answers(byte[] otherHash) {
            return MessageDigest.isEqual(requestHash, otherHash);
        }
    }

    /** The key's first answer, if the key is known and not expired. */
    Optional<Remembered> find(String key) {
        return jdbc.sql("""
                        SELECT request_hash, response::text AS response FROM idempotency_keys
                        WHERE idempotency_key = :key AND expires_at > clock_timestamp()
                        """)
                .param("key", key)
                .query((rs, row) -> new Remembered(
                        rs.getBytes("request_hash"), json.readValue(rs.getString("response"), OrderAccepted.class)))
                .optional();
    }

    /**
     * Takes {@code key} for {@code answer}, in the caller's transaction, unless it is already taken. An expired row
     * for the key is replaced.
     *
     * @return whether this call took the key; if not, {@link #find} tells who has it
     */
    boolean claim(String key, byte[] requestHash, OrderAccepted answer, Instant expiresAt) {
        jdbc.sql("DELETE FROM idempotency_keys WHERE idempotency_key = :key AND expires_at <= clock_timestamp()")
                .param("key", key)
                .update();
        int inserted = jdbc.sql("""
                        INSERT INTO idempotency_keys (idempotency_key, request_hash, order_id, response, expires_at)
                        VALUES (:key, :hash, :orderId, CAST(:response AS jsonb), :expiresAt)
                        ON CONFLICT (idempotency_key) DO NOTHING
                        """)
                .param("key", key)
                .param("hash", requestHash)
                .param("orderId", answer.orderId())
                .param("response", json.writeValueAsString(answer))
                .param("expiresAt", OffsetDateTime.ofInstant(expiresAt, ZoneOffset.UTC))
                .update();
        return inserted == 1;
    }

    /** Deletes up to {@code batchSize} expired keys; returns how many. */
    int purgeExpired(int batchSize) {
        int deleted = jdbc.sql("""
                        DELETE FROM idempotency_keys WHERE idempotency_key IN (
                            SELECT idempotency_key FROM idempotency_keys
                            WHERE expires_at <= clock_timestamp() LIMIT :batchSize)
                        """).param("batchSize", batchSize).update();
        if (deleted > 0) {
            log.debug("Purged {} expired idempotency keys", deleted);
        }
        return deleted;
    }

    /**
     * The SHA-256 of a request's canonical JSON (as re-serialised after parsing, so insignificant spacing is ignored).
     * It covers the request as the client sent it, a line's {@code unit_price_cents} included ({@code null} when left
     * out), and no price of the server's: a retry of the same body gets the first answer back even after the catalogue
     * changed a price, and a body hashed before prices became the server's still hashes the same.
     */
    byte[] hash(PlaceOrderRequest request) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK provides SHA-256", e);
        }
    }
}
