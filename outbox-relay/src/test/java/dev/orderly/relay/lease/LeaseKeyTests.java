package dev.orderly.relay.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.outbox.OutboxPartition;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every instance of every version must compute the same lease key for a table (and partition), and different ones for
 * others.
 */
class LeaseKeyTests {

    @Test
    void theKeyOfATableNeverChanges() {
        // Pinned: changing it would let an old and a new relay version publish the same table side by side.
        assertThat(LeaseKey.of(OutboxTable.parse("orders.outbox"))).isEqualTo(-6708554892141969729L);
    }

    @Test
    void tablesGetDifferentKeys() {
        assertThat(LeaseKey.of(OutboxTable.parse("payments.outbox")))
                .isNotEqualTo(LeaseKey.of(OutboxTable.parse("orders.outbox")))
                .isNotEqualTo(LeaseKey.of(OutboxTable.parse("shipping.outbox")));
    }

    @Test
    void theWholeTableIsItsOnlyPartitionWithTheTablesKeyAndEveryPartitionOfACountHasItsOwn() {
        OutboxTable orders = OutboxTable.parse("orders.outbox");
        assertThat(LeaseKey.of(OutboxPartition.whole(orders))).isEqualTo(LeaseKey.of(orders));
        Set<Long> keys = new HashSet<>();
        for (int count = 1; count <= 8; count++) {
            for (int index = 0; index < count; index++) {
                assertThat(keys.add(LeaseKey.of(new OutboxPartition(orders, index, count))))
                        .as("partition %d of %d", index, count)
                        .isTrue();
            }
        }
    }

    @Test
    void eachCountOfPartitionsIsToldApart() {
        OutboxTable orders = OutboxTable.parse("orders.outbox");
        Set<Integer> keys = new HashSet<>();
        for (int count = 1; count <= OutboxPartition.MAX_COUNT; count++) {
            assertThat(keys.add(LeaseKey.partitions(orders, count))).isTrue();
        }
        assertThat(LeaseKey.partitions(OutboxTable.parse("payments.outbox"), 1))
                .isNotEqualTo(LeaseKey.partitions(orders, 1));
        assertThat(LeaseKey.member("relay-a")).isNotEqualTo(LeaseKey.member("relay-b"));
    }
}
