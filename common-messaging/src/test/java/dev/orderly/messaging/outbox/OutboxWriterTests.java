package dev.orderly.messaging.outbox;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import dev.orderly.contracts.Envelope;
import dev.orderly.contracts.EventCodec;
import dev.orderly.contracts.OrderCreated;
import dev.orderly.contracts.OrderLine;
import dev.orderly.messaging.signing.MessageKeys;
import dev.orderly.messaging.signing.MessageSigner;
import dev.orderly.testsupport.TestMessageKeys;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

class OutboxWriterTests {

    @Test
    void refusesToWriteOutsideATransaction() {
        // No database is needed: the writer must refuse before it touches one.
        OutboxWriter writer = new OutboxWriter(
                JdbcClient.create(new SimpleDriverDataSource()),
                new EventCodec(),
                OutboxTable.parse("orders.outbox"),
                new MessageSigner(MessageKeys.of(Map.of("k1", TestMessageKeys.key()), null)),
                null);
        UUID orderId = UUID.randomUUID();
        Envelope<OrderCreated> envelope = Envelope.of(
                new OrderCreated(orderId, "c", "EUR", 100, List.of(new OrderLine("s", 1, 100))),
                "test",
                orderId.toString(),
                Clock.systemUTC());

        assertThatIllegalStateException()
                .isThrownBy(() -> writer.append(envelope, orderId.toString(), null))
                .withMessageContaining("outside a transaction");
    }
}
