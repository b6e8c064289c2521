package dev.orderly.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxTableTests {

    @Test
    void parsesSchemaQualifiedName() {
        OutboxTable table = OutboxTable.parse("payments.outbox");

        assertThat(table.schema()).isEqualTo("payments");
        assertThat(table.table()).isEqualTo("outbox");
        assertThat(table.qualifiedName()).isEqualTo("payments.outbox");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"outbox", "a.b.c", "orders.outbox; DROP TABLE orders", "Orders.outbox", ".outbox", "orders."})
    void refusesAnythingButTwoPlainIdentifiers(String name) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> OutboxTable.parse(name))
                .withMessageContaining("Outbox");
    }
}
