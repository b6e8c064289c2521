package dev.orderly.relay.lease;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.DedicatedConnections;
import dev.orderly.relay.outbox.OutboxPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease on one partition of an outbox table (the whole table unless it is divided): whoever holds it is the only
 * relay instance publishing that partition's rows, so each aggregate's rows go out in id order from one place.
 *
 * <p>The lease is a session-level advisory lock ({@code pg_try_advisory_lock} on {@link LeaseKey#of}) held on a
 * connection of its own. PostgreSQL releases it when that session ends for any reason: a clean release, the process
 * dying (even by {@code kill -9}: the kernel closes the socket and the backend sees it at once), or the network
 * dropping (the backend notices through TCP keepalives, which this class tightens to about 11 s on the lease session).
 * A standby instance calls {@link #tryAcquire()} periodically and wins as soon as the lock is free. Each session first
 * joins the table's {@link Partitioning}: it takes a partition only within this instance's share, and none while
 * another instance divides the table otherwise.
 *
 * <p>Invariant: {@link #verify()} answers true only if, a moment ago, this very session still held the lock. The
 * relay calls it before a batch, at most once per {@code lease.verify-interval}, so an instance that lost its session
 * stops publishing at its first batch after that interval. What it publishes until then, and what it finishes of the
 * batch already under way, is the "zombie window": duplicates, never a gap or a reordering of a consumer's first
 * deliveries, since the new holder starts again from the oldest unpublished row.
 *
 * <p>Not thread-safe by design beyond {@link #isHeld()}: one partition's drainer thread owns its lease.
 */
public final class AdvisoryLease implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdvisoryLease.class);

    private static final String TRY_LOCK = "SELECT pg_catalog.pg_try_advisory_lock(?)";

    private static final String UNLOCK = "SELECT pg_catalog.pg_advisory_unlock(?)";

    /** A bigint advisory key is stored as classid (high 32 bits), objid (low 32 bits) and objsubid 1. */
    private static final String STILL_HELD = """
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks
                           WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid() AND granted
                             AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = ?)
            """;

    /**
     * On the lease session only: if the instance vanishes from the network without closing its socket, the server
     * notices within about 11 s instead of the operating system's defaults, and frees the lock for a standby (or for
     * this instance's next session). While the session idles, by keepalives: idle + interval x count = 5 + 2 x 3 =
     * 11 s instead of hours. While an answer to it goes unacknowledged, keepalives do not run and the server's kernel
     * retransmits, backing off up to two minutes between tries, for a quarter of an hour: tcp_user_timeout closes the
     * connection after 11 s of that instead (a packet-drop drill once waited 85 s for a lease). Ignored for
     * Unix-socket connections, which cannot be partitioned.
     */
    static final String TIGHT_KEEPALIVES = "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; "
            + "SET tcp_keepalives_count = 3; SET tcp_user_timeout = 11000";

    private final OutboxPartition partition;
    private final Partitioning partitioning;
    private final long key;
    private final DedicatedConnections connections;
    private final Duration checkTimeout;

    private @Nullable Connection connection;
    private boolean joined;
    private volatile boolean held;

    /** The lease on the whole of {@code table}, the only partition. */
    public AdvisoryLease(OutboxTable table, DedicatedConnections connections, Duration checkTimeout) {
        this(0, new Partitioning(table, 1, connections.instanceId(), checkTimeout), connections, checkTimeout);
    }

    /** The lease on partition {@code index} of {@code partitioning}'s table. */
    public AdvisoryLease(
            int index, Partitioning partitioning, DedicatedConnections connections, Duration checkTimeout) {
        this.partition = partitioning.partition(index);
        this.partitioning = partitioning;
        this.key = LeaseKey.of(partition);
        this.connections = connections;
        this.checkTimeout = checkTimeout;
    }

    /** The partition this lease is for. */
    public OutboxPartition partition() {
        return partition;
    }

    /** The advisory-lock key, for operators: {@code SELECT ... FROM pg_locks WHERE ...} (see the relay's canvas). */
    public long key() {
        return key;
    }

    /** Whether this instance believed it held the lease at its last acquisition or check; for health and metrics. */
    public boolean isHeld() {
        return held;
    }

    /**
     * Tries once, without waiting, to take the lease, if this instance holds less than its share of the table's
     * partitions.
     *
     * @return true if this instance holds the lease now (also when it already did); false if another instance holds
     *     it, or this one already holds its share
     * @throws Partitioning.PartitionsDisagree if another instance divides the table otherwise; the lease is not held
     * @throws SQLException if the database cannot be reached; the lease is then not held
     */
    public boolean tryAcquire() throws SQLException {
        if (held) {
            return true;
        }
        Connection session = session();
        try {
            if (!joined) {
                partitioning.join(session);
                joined = true;
            }
            // A reservation first, so that two partitions of this instance cannot both take its last place.
            if (!partitioning.reserve(session)) {
                return false;
            }
            boolean acquired = false;
            try (PreparedStatement statement = session.prepareStatement(TRY_LOCK)) {
                statement.setLong(1, key);
                try (ResultSet result = statement.executeQuery()) {
                    acquired = result.next() && result.getBoolean(1);
                }
            } finally {
                partitioning.settle(partition.index(), acquired);
            }
            held = acquired;
        } catch (Partitioning.PartitionsDisagree e) {
            throw e;
        } catch (SQLException e) {
            discardSession();
            throw e;
        }
        return held;
    }

    /**
     * Whether this instance should give this partition up to let another instance take its share (one joined since
     * the partitions were taken); read at most once per retry interval, between batches.
     */
    public boolean shouldHandOver() {
        Connection session = connection;
        if (!held || session == null || partitioning.count() == 1) {
            return false;
        }
        try {
            return partitioning.shouldHandOver(partition.index(), session);
        } catch (SQLException e) {
            // The next check of the lease finds out whether the session is still good.
            log.debug("Counting the instances that share {} failed", partition.table(), e);
            return false;
        }
    }

    /**
     * Checks, with a round trip bounded by {@code check-timeout}, that this session still holds the lock.
     *
     * @return false if the lease is not held, or was lost (the session broke, timed out or no longer holds the lock);
     *     after false the lease must be acquired again before publishing
     */
    public boolean verify() {
        Connection session = connection;
        if (!held || session == null) {
            return false;
        }
        try (PreparedStatement statement = session.prepareStatement(STILL_HELD)) {
            statement.setLong(1, key);
            try (ResultSet result = statement.executeQuery()) {
                if (result.next() && result.getBoolean(1)) {
                    return true;
                }
            }
            log.warn("The lease session of {} is alive but no longer holds advisory lock {}", partition, key);
        } catch (SQLException e) {
            log.debug("Checking the lease of {} failed", partition, e);
        }
        lost();
        discardSession();
        return false;
    }

    /** Gives the lease up (unlocks, then closes the session), so a standby can take over at once. */
    public void release() {
        Connection session = connection;
        if (held && session != null) {
            try (PreparedStatement statement = session.prepareStatement(UNLOCK)) {
                statement.setLong(1, key);
                statement.execute();
            } catch (SQLException e) {
                log.debug("Unlocking the lease of {} failed; closing its session releases it anyway", partition, e);
            }
        }
        lost();
        discardSession();
    }

    @Override
    public void close() {
        release();
    }

    private void lost() {
        if (held) {
            partitioning.released(partition.index());
        }
        held = false;
    }

    private Connection session() throws SQLException {
        Connection current = connection;
        if (current != null && !current.isClosed()) {
            return current;
        }
        joined = false;
        Connection opened = connections.open("lease " + partition);
        try (Statement statement = opened.createStatement()) {
            statement.execute(TIGHT_KEEPALIVES);
            opened.setNetworkTimeout(Runnable::run, Math.toIntExact(checkTimeout.toMillis()));
        } catch (SQLException e) {
            opened.close();
            throw e;
        }
        connection = opened;
        return opened;
    }

    private void discardSession() {
        Connection current = connection;
        connection = null;
        joined = false;
        if (current != null) {
            try {
                current.close();
            } catch (SQLException e) {
                log.debug("Closing the lease session of {} failed", partition, e);
            }
        }
    }
}
