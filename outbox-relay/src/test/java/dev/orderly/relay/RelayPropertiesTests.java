package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.orderly.messaging.outbox.OutboxTable;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The relay's settings bind with safe defaults, and a bad table list stops it instead of draining nothing. */
class RelayPropertiesTests {

    @Test
    void defaultsAreTheDocumentedOnes() {
        RelayProperties properties = bind(Map.of());

        assertThat(properties.outboxTables()).containsExactly(OutboxTable.parse("orders.outbox"));
        assertThat(properties.exchange()).isEqualTo("orders.events");
        assertThat(properties.publish().batchSize()).isEqualTo(500);
        assertThat(properties.publish().maxInFlight()).isEqualTo(500);
        assertThat(properties.publish().confirmTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(properties.publish().markLinger()).isEqualTo(Duration.ofMillis(50));
        assertThat(properties.publish().skippedRowTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.wakeup().pollInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(properties.lease().retryInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.lease().verifyInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(properties.failures().flagAfterAttempts()).isEqualTo(5);
        assertThat(properties.retention().keep()).isEqualTo(Duration.ofHours(24));
        assertThat(properties.effectiveInstanceId())
                .endsWith("-" + ProcessHandle.current().pid());
    }

    @Test
    void tablesAreAListOfQualifiedNames() {
        RelayProperties properties =
                bind(Map.of("orderly.relay.tables", "orders.outbox, payments.outbox,shipping.outbox"));

        assertThat(properties.outboxTables())
                .extracting(OutboxTable::qualifiedName)
                .containsExactly("orders.outbox", "payments.outbox", "shipping.outbox");
    }

    @Test
    void anUnqualifiedOrRepeatedTableIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bind(Map.of("orderly.relay.tables", "outbox")).outboxTables())
                .withMessageContaining("schema-qualified");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bind(Map.of("orderly.relay.tables", "orders.outbox,orders.outbox"))
                        .outboxTables())
                .withMessageContaining("twice");
    }

    private static RelayProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("orderly.relay", RelayProperties.class);
    }
}
