package dev.orderly.relay.lease;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxPartition;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The advisory-lock keys of the leases: each partition's lease, and the keys by which the instances of one table see
 * each other and agree on its partition count ({@link Partitioning}).
 *
 * <p>Invariant: every key depends only on the table's qualified name, the partition and this class's fixed
 * namespaces, never on the PostgreSQL version, the JVM or the instance (but for {@link #member}, which names the
 * instance), so every relay instance of every version agrees on it. (PostgreSQL's own {@code hashtext} is not
 * guaranteed stable across major versions, hence SHA-256 here.) The lease of a whole table ({@code count} 1) is the
 * key the relay had before tables could be divided.
 */
public final class LeaseKey {

    private static final String NAMESPACE = "orderly.outbox-relay.lease:";

    private static final String PARTITIONS = "orderly.outbox-relay.partitions:";

    private static final String MEMBER = "orderly.outbox-relay.instance:";

    private static final String JOINING = "orderly.outbox-relay.joining:";

    private LeaseKey() {}

    /** The 64-bit key for the whole of {@code table}: the first eight bytes of SHA-256 over the namespaced name. */
    public static long of(OutboxTable table) {
        return ByteBuffer.wrap(sha256(NAMESPACE + table.qualifiedName())).getLong();
    }

    /** The 64-bit key of a partition's lease; for the whole table, {@link #of(OutboxTable)}. */
    public static long of(OutboxPartition partition) {
        if (partition.isWhole()) {
            return of(partition.table());
        }
        return ByteBuffer.wrap(sha256(NAMESPACE + partition)).getLong();
    }

    /**
     * The first half of the two-part key that every lease session of an instance dividing {@code table} into {@code
     * count} partitions holds in shared mode: an instance finds those of another count by it, and counts its peers.
     */
    static int partitions(OutboxTable table, int count) {
        return ByteBuffer.wrap(sha256(PARTITIONS + table.qualifiedName() + "/" + count))
                .getInt();
    }

    /** The second half of that key: which instance holds it. */
    static int member(String instanceId) {
        return ByteBuffer.wrap(sha256(MEMBER + instanceId)).getInt();
    }

    /** The transaction-level lock under which a lease session of {@code table} checks for another count and joins. */
    static long joining(OutboxTable table) {
        return ByteBuffer.wrap(sha256(JOINING + table.qualifiedName())).getLong();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform provides SHA-256, but this one does not", e);
        }
    }
}
