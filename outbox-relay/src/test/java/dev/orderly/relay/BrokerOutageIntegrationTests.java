package dev.orderly.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.orderly.contracts.Topology;
import dev.orderly.messaging.outbox.OutboxTable;
import dev.orderly.relay.EventsProbe.Received;
import dev.orderly.relay.publishing.Relay;
import dev.orderly.testsupport.OrderlyInfrastructure;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.TestPropertySource;

/**
 * The broker stops in the middle of a stream of rows and comes back: the relay keeps running, marks nothing published
 * while the broker is away (nothing can be confirmed), reconnects by itself, and in the end every row has reached the
 * consumer's durable queue at least once, and every row marked published is in it.
 */
@RelayIntegrationTest
@TestPropertySource(
        properties = {
            "orderly.relay.tables=orders.outbox_outage",
            "orderly.relay.failures.backoff-max=1s",
            "orderly.relay.publish.confirm-timeout=3s",
            "resilience4j.circuitbreaker.configs.default.wait-duration-in-open-state=2s",
            "spring.rabbitmq.connection-timeout=2s"
        })
class BrokerOutageIntegrationTests {

    static final OutboxTable TABLE = OutboxTable.parse("orders.outbox_outage");

    static final String QUEUE = "relay-test.outage";

    static final int ROWS = 600;

    @Autowired
    Relay relay;

    @BeforeAll
    static void durableConsumerQueue() {
        EventsProbe.declareEventsTopology();
        EventsProbe.withChannel(channel -> {
            channel.queueDeclare(QUEUE, true, false, false, null);
            channel.queueBind(QUEUE, Topology.EVENTS_EXCHANGE, "test.outage");
        });
    }

    @AfterAll
    static void deleteQueue() {
        EventsProbe.withChannel(channel -> channel.queueDelete(QUEUE));
    }

    @Test
    void everyRowArrivesAtLeastOnceAndNoneIsMarkedPublishedWhileTheBrokerIsDown()
            throws InterruptedException, SQLException {
        ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        AtomicInteger count = new AtomicInteger();
        AtomicReference<RuntimeException> writeFailure = new AtomicReference<>();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        // One connection for the writer: a fresh one per row (a TLS handshake and a SCRAM exchange each) held a busy
        // CI machine's writer far below the rate, and the rows were not all written in time.
        try (SingleConnectionDataSource connection =
                new SingleConnectionDataSource(OrdersSchema.apiDataSource().getConnection(), true)) {
            JdbcClient sql = JdbcClient.create(connection);
            // About 100 rows a second for six seconds, so the outage falls in the middle of the stream.
            writer.scheduleAtFixedRate(
                    () -> {
                        try {
                            for (int i = 0; i < 5 && count.get() < ROWS; i++) {
                                UUID eventId = UUID.randomUUID();
                                int seq = count.incrementAndGet();
                                OrdersSchema.insert(sql, TABLE, eventId, "test.outage", "aggregate-" + (seq % 7), "{}");
                                written.add(eventId.toString());
                            }
                        } catch (RuntimeException e) {
                            // A task that throws is never run again: say why, rather than time out below.
                            writeFailure.compareAndSet(null, e);
                            throw e;
                        }
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> OrdersSchema.publishedCount(TABLE) >= 100);

            OrderlyInfrastructure.rabbit().stop();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> relay.statuses().getFirst().consecutiveFailures() > 0);
            long publishedWhileDown = OrdersSchema.publishedCount(TABLE);
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> OrdersSchema.publishedCount(TABLE) == publishedWhileDown);
            assertThat(relay.isRunning()).isTrue();

            OrderlyInfrastructure.rabbit().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> count.get() >= ROWS || writeFailure.get() != null);
            assertThat(writeFailure.get()).as("writing the rows").isNull();
            writer.shutdown();
            assertThat(writer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            writer.shutdownNow();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> OrdersSchema.publishedCount(TABLE) == ROWS);
        List<Received> delivered = EventsProbe.drain(QUEUE);
        Set<String> deliveredIds = new HashSet<>();
        delivered.forEach(message -> deliveredIds.add(message.messageId()));
        assertThat(deliveredIds).containsAll(written).hasSize(ROWS);
        assertThat(delivered.size()).isGreaterThanOrEqualTo(ROWS);
    }
}
