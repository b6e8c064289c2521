package dev.orderly.relay.lease;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orderly.messaging.outbox.OutboxTable;
import org.junit.jupiter.api.Test;

/** Every instance of every version must compute the same lease key for a table, and different ones for others. */
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
}
