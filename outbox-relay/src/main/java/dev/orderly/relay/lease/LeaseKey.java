package dev.orderly.relay.lease;

import dev.orderly.messaging.outbox.OutboxTable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The advisory-lock key of an outbox table's lease.
 *
 * <p>Invariant: the key depends only on the table's qualified name and this class's fixed namespace, never on the
 * PostgreSQL version, the JVM or the instance, so every relay instance of every version agrees on it. (PostgreSQL's
 * own {@code hashtext} is not guaranteed stable across major versions, hence SHA-256 here.)
 */
public final class LeaseKey {

    private static final String NAMESPACE = "orderly.outbox-relay.lease:";

    private LeaseKey() {}

    /** The 64-bit key for {@code table}: the first eight bytes of SHA-256 over the namespaced table name. */
    public static long of(OutboxTable table) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((NAMESPACE + table.qualifiedName()).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides SHA-256, but this one does not", e);
        }
    }
}
