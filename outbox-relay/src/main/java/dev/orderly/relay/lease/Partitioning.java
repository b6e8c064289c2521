package dev.orderly.relay.lease;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxPartition;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How this instance shares one outbox table's partitions with the other relay instances: it takes partitions only up
 * to its fair share, {@code ceil(partitions / instances)}, hands over the ones above it when another instance joins,
 * and refuses to publish at all while an instance divides the table into a different number of partitions.
 *
 * <p>How the instances see each other: every lease session of an instance holds, in shared mode, the two-part advisory
 * lock ({@link LeaseKey#partitions}(table, count), {@link LeaseKey#member}(instance)) for as long as it lives. The
 * instances of the table are the distinct second halves among the holders of the first half; an instance that divides
 * the table otherwise holds another first half, which every joining session looks for first. The look and the join
 * happen in one transaction under {@link LeaseKey#joining}(table), so two instances with different counts cannot both
 * join. A session of a divided table also holds the whole table's lease key in shared mode, which keeps out, by the
 * lock manager itself, any relay that takes that lease exclusively: one that does not divide the table, including a
 * relay from before partitions, which knows none of these keys. The count of instances is read at most once per {@code
 * refresh} (the lease retry interval), on the asking lease session.
 *
 * <p>Invariants: with one partition nothing is ever handed over and no instance is counted (the share is always one);
 * the shares of all instances add up to at least the partition count, so no partition is left without a taker; and a
 * session that has not joined never takes a lease.
 *
 * <p>Thread-safe: the drainers of a table's partitions share one instance of this class.
 */
public final class Partitioning {

    /** Every granted advisory lock of this database, so that a relay of another database cannot interfere. */
    private static final String IN_THIS_DATABASE = """
            locktype = 'advisory' AND granted
              AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
            """;

    private static final String OTHER_COUNTS = "SELECT classid::bigint FROM pg_catalog.pg_locks WHERE "
            + IN_THIS_DATABASE + " AND objsubid = 2 AND classid::bigint = ANY(?) LIMIT 1";

    private static final String INSTANCES = "SELECT count(DISTINCT objid), coalesce(bool_or(objid::bigint = ?), false)"
            + " FROM pg_catalog.pg_locks WHERE " + IN_THIS_DATABASE + " AND objsubid = 2 AND classid::bigint = ?";

    private final OutboxTable table;
    private final int count;
    private final int member;
    private final Duration refresh;
    private final Map<Long, Integer> otherCounts = new TreeMap<>();
    private final TreeSet<Integer> held = new TreeSet<>();
    private int reserved;
    private int instances = 1;
    private long countedAt;
    private boolean counted;

    /**
     * @param count how many partitions this instance divides the table into
     * @param instanceId this instance's name ({@code orderly.relay.instance-id}), which tells it from its peers
     * @param refresh how often the number of instances is read again
     */
    public Partitioning(OutboxTable table, int count, String instanceId, Duration refresh) {
        this.table = table;
        this.count = count;
        this.member = LeaseKey.member(instanceId);
        this.refresh = refresh;
        for (int other = 1; other <= OutboxPartition.MAX_COUNT; other++) {
            if (other != count) {
                otherCounts.put(Integer.toUnsignedLong(LeaseKey.partitions(table, other)), other);
            }
        }
    }

    /** The table this is for. */
    public OutboxTable table() {
        return table;
    }

    /** How many partitions the table is divided into. */
    public int count() {
        return count;
    }

    /** Partition {@code index} of the table. */
    public OutboxPartition partition(int index) {
        return new OutboxPartition(table, index, count);
    }

    /**
     * Makes {@code session} one of this instance's sessions for the table, unless an instance divides the table into
     * another number of partitions (or does not divide it, if this one does).
     *
     * @throws PartitionsDisagree if one does; the session is left as it was, to try again later
     */
    void join(Connection session) throws SQLException {
        boolean autoCommit = session.getAutoCommit();
        session.setAutoCommit(false);
        try {
            try (PreparedStatement statement = session.prepareStatement("SELECT pg_catalog.pg_advisory_xact_lock(?)")) {
                statement.setLong(1, LeaseKey.joining(table));
                statement.execute();
            }
            String conflict = conflict(session);
            if (conflict != null) {
                throw new PartitionsDisagree(conflict);
            }
            // The lock manager keeps relays that do not divide the table out, those from before partitions included,
            // which never look for the keys above: they take the whole table's lease exclusively, and this session
            // holds it shared from now on. Taken last but one, so that a refusal leaves the session holding nothing.
            if (count > 1
                    && !tryLock(session, "SELECT pg_catalog.pg_try_advisory_lock_shared(?)", LeaseKey.of(table))) {
                throw new PartitionsDisagree(("a relay instance that does not divide %s into partitions holds its "
                                + "lease; this one divides it into %d")
                        .formatted(table, count));
            }
            try (PreparedStatement statement =
                    session.prepareStatement("SELECT pg_catalog.pg_advisory_lock_shared(?, ?)")) {
                statement.setInt(1, LeaseKey.partitions(table, count));
                statement.setInt(2, member);
                statement.execute();
            }
            session.commit();
        } catch (SQLException e) {
            // The session may be broken: the exception that says why matters, not the rollback's.
            try {
                session.rollback();
                session.setAutoCommit(autoCommit);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
        session.setAutoCommit(autoCommit);
    }

    private static boolean tryLock(Connection session, String sql, long key) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement(sql)) {
            statement.setLong(1, key);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    /** What keeps this instance from joining: an instance with another count, or null if there is none. */
    private String conflict(Connection session) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement(OTHER_COUNTS)) {
            statement.setArray(
                    1, session.createArrayOf("bigint", otherCounts.keySet().toArray()));
            try (ResultSet result = statement.executeQuery()) {
                if (result.next()) {
                    int other = otherCounts.get(result.getLong(1));
                    return "another relay instance divides %s into %d partition%s, this one (orderly.relay.partitions)"
                                    .formatted(table, other, other == 1 ? "" : "s")
                            + " into " + count;
                }
            }
        }
        return null;
    }

    /**
     * Reserves a place for one more partition if this instance holds (and is taking) fewer than its share; always with
     * one partition and none held. A reservation ends with {@link #settle}. The count of instances is read, when due,
     * outside this object's lock, so a slow session never holds up the other partitions' drainers.
     */
    boolean reserve(Connection session) throws SQLException {
        int share = share(session);
        synchronized (this) {
            if (held.size() + reserved >= share) {
                return false;
            }
            reserved++;
            return true;
        }
    }

    /** Ends a reservation: partition {@code index} was taken, or not. */
    synchronized void settle(int index, boolean acquired) {
        reserved--;
        if (acquired) {
            held.add(index);
        }
    }

    /**
     * Whether this instance should hand partition {@code index} over to another instance: it holds more than its
     * share, and {@code index} is among the highest-numbered partitions it holds beyond it.
     */
    boolean shouldHandOver(int index, Connection session) throws SQLException {
        int share = share(session);
        synchronized (this) {
            int excess = held.size() - share;
            if (excess <= 0 || !held.contains(index)) {
                return false;
            }
            List<Integer> highest = new ArrayList<>(held.descendingSet());
            return highest.subList(0, excess).contains(index);
        }
    }

    synchronized void released(int index) {
        held.remove(index);
    }

    /** The partitions this instance holds, lowest first. */
    public synchronized List<Integer> held() {
        return List.copyOf(held);
    }

    /** How many instances share the table, as last counted (1 with one partition: none are counted). */
    public synchronized int instances() {
        return instances;
    }

    /** This instance's share, {@code ceil(count / instances)}, with the instances counted again when due. */
    private int share(Connection session) throws SQLException {
        if (count == 1) {
            return 1;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (counted && now - countedAt < refresh.toNanos()) {
                return (count + instances - 1) / instances;
            }
        }
        int found;
        try (PreparedStatement statement = session.prepareStatement(INSTANCES)) {
            statement.setLong(1, Integer.toUnsignedLong(member));
            statement.setLong(2, Integer.toUnsignedLong(LeaseKey.partitions(table, count)));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                // This instance counts even while none of its sessions has joined yet.
                found = Math.max(1, result.getInt(1) + (result.getBoolean(2) ? 0 : 1));
            }
        }
        synchronized (this) {
            instances = found;
            countedAt = now;
            counted = true;
            return (count + found - 1) / found;
        }
    }

    /** Relay instances divide one table into different numbers of partitions: none of them may publish alongside. */
    public static final class PartitionsDisagree extends SQLException {

        PartitionsDisagree(String message) {
            super(message + ". Every instance of a table must divide it alike: stop the instances whose "
                    + "orderly.relay.partitions differs (or let a rolling update replace them); this one takes "
                    + "over when they are gone");
        }
    }
}
