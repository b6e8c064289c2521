package dev.orderly.messaging.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;

/** The multi-row statement's text; the batches' inserts themselves are tested against PostgreSQL by the listener's tests. */
class DeferredInsertsTests {

    private static final DeferredInserts.Statement TIMELINE = new DeferredInserts.Statement(
            "INSERT INTO order_timeline (order_id, status, occurred_at) VALUES",
            "(?, ?, CAST(? AS timestamptz))",
            "ON CONFLICT DO NOTHING");

    @Test
    void oneRowIsTheSingleRowStatement() {
        assertThat(TIMELINE.sql(1))
                .isEqualTo("INSERT INTO order_timeline (order_id, status, occurred_at) VALUES"
                        + " (?, ?, CAST(? AS timestamptz)) ON CONFLICT DO NOTHING");
    }

    @Test
    void manyRowsShareOneStatementAndItsTail() {
        assertThat(TIMELINE.sql(3))
                .isEqualTo("INSERT INTO order_timeline (order_id, status, occurred_at) VALUES"
                        + " (?, ?, CAST(? AS timestamptz)), (?, ?, CAST(? AS timestamptz)),"
                        + " (?, ?, CAST(? AS timestamptz)) ON CONFLICT DO NOTHING");
    }

    @Test
    void aScopeNeedsATransaction() {
        assertThatIllegalStateException().isThrownBy(DeferredInserts::open).withMessageContaining("transaction");
    }
}
