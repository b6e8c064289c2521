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
 * The {@code idempotency_keys} table: for each caller's key still within its retention, the hash of the request it
 * first answered and that answer.
 *
 * <p>Invariant: a key is its caller's (the customer its access token names, the {@code principal} column): one caller's
 * key answers for one order of that caller, and the same key sent by another caller is another key, so that no caller
 * ever gets, or learns of, another's order. {@link #claim} inserts with {@code ON CONFLICT DO NOTHING}, so of two
 * transactions racing with one caller's key, the second waits for the first to commit and then finds the key taken; if
 * the first rolls back, the second claims it. Concurrent requests with one key therefore create one order.
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

    /** The first answer to {@code principal}'s key, if that caller used it and it has not expired. */
    Optional<Remembered> find(String principal, String key) {
        return jdbc.sql("""
                        SELECT request_hash, response::text AS response FROM idempotency_keys
                        WHERE principal = :principal AND idempotency_key = :key AND expires_at > clock_timestamp()
                        """)
                .param("principal", principal)
                .param("key", key)
                .query((rs, row) -> new Remembered(
                        rs.getBytes("request_hash"), json.readValue(rs.getString("response"), OrderAccepted.class)))
                .optional();
    }

    /**
     * Takes {@code principal}'s {@code key} for {@code answer}, in the caller's transaction, unless that caller has
     * already taken it. An expired row for the key is replaced.
     *
     * @return whether this call took the key; if not, {@link #find} tells which answer has it
     */
    boolean claim(String principal, String key, byte[] requestHash, OrderAccepted answer, Instant expiresAt) {
        jdbc.sql("""
                        DELETE FROM idempotency_keys
                        WHERE principal = :principal AND idempotency_key = :key AND expires_at <= clock_timestamp()
                        """).param("principal", principal).param("key", key).update();
        int inserted = jdbc.sql("""
                        INSERT INTO idempotency_keys
                            (principal, idempotency_key, request_hash, order_id, response, expires_at)
                        VALUES (:principal, :key, :hash, :orderId, CAST(:response AS jsonb), :expiresAt)
                        ON CONFLICT (principal, idempotency_key) DO NOTHING
                        """)
                .param("principal", principal)
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
                        DELETE FROM idempotency_keys WHERE (principal, idempotency_key) IN (
                            SELECT principal, idempotency_key FROM idempotency_keys
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
