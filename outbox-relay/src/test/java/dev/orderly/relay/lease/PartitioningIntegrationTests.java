package dev.orderly.relay.lease;

import static dev.orderly.relay.lease.AdvisoryLeaseIntegrationTests.connections;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.OrdersSchema;
import dev.orderly.relay.outbox.OutboxPartition;
import dev.orderly.relay.outbox.OutboxRow;
import dev.orderly.relay.outbox.OutboxRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A table divided into partitions, against a real PostgreSQL as the relay's own role: the partitions' reads split the
 * rows by aggregate, each aggregate in one partition, together all rows; instances take their fair share of the
 * partitions and hand the excess over when another joins; and an instance that divides the table otherwise takes
 * nothing while the others hold it.
 */
class PartitioningIntegrationTests {

    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    /** Counted again on every question, so that a join shows at once. */
    private static final Duration COUNT_AT_ONCE = Duration.ZERO;

    @Test
    void thePartitionsReadEveryRowOnceAndEachAggregateInOnePartition() {
        OutboxTable table = OrdersSchema.outboxCopy("outbox_partitions");
        OrdersSchema.insertMany(table, 400, "test.partitions", 40);
        int count = 4;

        Set<Long> read = new HashSet<>();
        Map<String, Integer> partitionOf = new HashMap<>();
        List<Integer> sizes = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            List<OutboxRow> rows =
                    new OutboxRows(new OutboxPartition(table, index, count), OrdersSchema.api()).unpublished(1_000);
            sizes.add(rows.size());
            for (OutboxRow row : rows) {
                assertThat(read.add(row.id())).as("row %d read once", row.id()).isTrue();
                Integer earlier = partitionOf.putIfAbsent(row.aggregateId(), index);
                assertThat(earlier == null ? index : earlier)
                        .as("partition of %s", row.aggregateId())
                        .isEqualTo(index);
            }
            assertThat(rows).extracting(OutboxRow::id).isSorted();
        }
        assertThat(read).hasSize(400);
        assertThat(partitionOf).hasSize(40);
        // 40 aggregates hashed into 4 partitions: each gets some (a partition left empty would relay nothing).
        assertThat(sizes).allSatisfy(size -> assertThat(size).isPositive());
        assertThat(new OutboxRows(table, OrdersSchema.api()).unpublished(1_000)).hasSize(400);
    }

    @Test
    void aSecondInstanceGetsHalfTheFourPartitionsOnceTheFirstHandsItsExcessOver() throws SQLException {
        OutboxTable table = OutboxTable.parse("orders.outbox_partition_share");
        Partitioning first = new Partitioning(table, 4, "instance-a", COUNT_AT_ONCE);
        Partitioning second = new Partitioning(table, 4, "instance-b", COUNT_AT_ONCE);
        List<AdvisoryLease> firsts = leases(first, "instance-a");
        List<AdvisoryLease> seconds = leases(second, "instance-b");
        try {
            // Alone, the first instance's share is all four.
            for (AdvisoryLease lease : firsts) {
                assertThat(lease.tryAcquire()).isTrue();
            }
            assertThat(first.held()).containsExactly(0, 1, 2, 3);

            // The second joins (its sessions hold the table's shared key) but finds every lease taken.
            for (AdvisoryLease lease : seconds) {
                assertThat(lease.tryAcquire()).isFalse();
            }
            assertThat(first.instances()).isEqualTo(1);

            // Two instances now: the first's share is two, and it hands over its highest two.
            List<Integer> handedOver = IntStream.range(0, 4)
                    .filter(index -> firsts.get(index).shouldHandOver())
                    .boxed()
                    .toList();
            assertThat(handedOver).containsExactly(2, 3);
            assertThat(first.instances()).isEqualTo(2);
            handedOver.forEach(index -> firsts.get(index).release());

            for (AdvisoryLease lease : seconds) {
                lease.tryAcquire();
            }
            assertThat(second.held()).containsExactly(2, 3);
            assertThat(first.held()).containsExactly(0, 1);
            // Balanced: no one hands anything over, and the first takes no more.
            assertThat(firsts).noneMatch(AdvisoryLease::shouldHandOver);
            assertThat(seconds).noneMatch(AdvisoryLease::shouldHandOver);
            assertThat(firsts.get(2).tryAcquire()).isFalse();

            // The second instance goes away: the first's share is all four again.
            seconds.forEach(AdvisoryLease::close);
            assertThat(firsts.get(2).tryAcquire()).isTrue();
            assertThat(firsts.get(3).tryAcquire()).isTrue();
            assertThat(first.held()).containsExactly(0, 1, 2, 3);
        } finally {
            firsts.forEach(AdvisoryLease::close);
            seconds.forEach(AdvisoryLease::close);
        }
    }

    @Test
    void anInstanceThatDividesTheTableOtherwiseTakesNothingWhileTheOthersRun() throws SQLException {
        OutboxTable table = OutboxTable.parse("orders.outbox_partition_counts");
        Partitioning four = new Partitioning(table, 4, "instance-c", COUNT_AT_ONCE);
        List<AdvisoryLease> running = leases(four, "instance-c");
        AdvisoryLease two = new AdvisoryLease(
                0, new Partitioning(table, 2, "instance-d", COUNT_AT_ONCE), connections("instance-d"), CHECK_TIMEOUT);
        AdvisoryLease whole = new AdvisoryLease(table, connections("instance-e"), CHECK_TIMEOUT);
        try {
            assertThat(running.getFirst().tryAcquire()).isTrue();

            assertThatThrownBy(two::tryAcquire)
                    .isInstanceOf(Partitioning.PartitionsDisagree.class)
                    .hasMessageContaining("divides orders.outbox_partition_counts into 4 partitions")
                    .hasMessageContaining("this one (orderly.relay.partitions) into 2");
            assertThatThrownBy(whole::tryAcquire)
                    .isInstanceOf(Partitioning.PartitionsDisagree.class)
                    .hasMessageContaining("into 4 partitions");
            assertThat(two.isHeld()).isFalse();

            // The instance with four partitions goes away: the one with two takes over (and now excludes the whole).
            running.forEach(AdvisoryLease::close);
            assertThat(two.tryAcquire()).isTrue();
            assertThatThrownBy(whole::tryAcquire)
                    .isInstanceOf(Partitioning.PartitionsDisagree.class)
                    .hasMessageContaining("into 2 partitions");
        } finally {
            running.forEach(AdvisoryLease::close);
            two.close();
            whole.close();
        }
    }

    @Test
    void aDividingInstanceTakesNothingWhileARelayHoldsTheWholeTablesLease() throws SQLException {
        OutboxTable table = OutboxTable.parse("orders.outbox_partition_whole");
        AdvisoryLease whole = new AdvisoryLease(table, connections("instance-f"), CHECK_TIMEOUT);
        AdvisoryLease divided = new AdvisoryLease(
                1, new Partitioning(table, 3, "instance-g", COUNT_AT_ONCE), connections("instance-g"), CHECK_TIMEOUT);
        try {
            assertThat(whole.tryAcquire()).isTrue();
            assertThatThrownBy(divided::tryAcquire)
                    .isInstanceOf(Partitioning.PartitionsDisagree.class)
                    .hasMessageContaining("divides orders.outbox_partition_whole into 1 partition,");
            whole.release();
            assertThat(divided.tryAcquire()).isTrue();
        } finally {
            whole.close();
            divided.close();
        }
    }

    @Test
    void aRelayFromBeforePartitionsAndADividingOneKeepEachOtherOut() throws SQLException {
        OutboxTable table = OutboxTable.parse("orders.outbox_partition_old");
        AdvisoryLease divided = new AdvisoryLease(
                2, new Partitioning(table, 4, "instance-h", COUNT_AT_ONCE), connections("instance-h"), CHECK_TIMEOUT);
        // A relay from before partitions knew nothing but the whole table's lease, taken exclusively.
        try (Connection old = connections("old-relay").open("lease " + table)) {
            try {
                assertThat(divided.tryAcquire()).isTrue();
                assertThat(tryLock(old, LeaseKey.of(table))).isFalse();

                divided.release();
                assertThat(tryLock(old, LeaseKey.of(table))).isTrue();
                assertThatThrownBy(divided::tryAcquire)
                        .isInstanceOf(Partitioning.PartitionsDisagree.class)
                        .hasMessageContaining(
                                "a relay instance that does not divide orders.outbox_partition_old into partitions"
                                        + " holds its lease");
            } finally {
                divided.close();
            }
        }
    }

    private static boolean tryLock(Connection session, long key) throws SQLException {
        try (PreparedStatement statement = session.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, key);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private static List<AdvisoryLease> leases(Partitioning partitioning, String instance) {
        return IntStream.range(0, partitioning.count())
                .mapToObj(index -> new AdvisoryLease(index, partitioning, connections(instance), CHECK_TIMEOUT))
                .toList();
    }
}
