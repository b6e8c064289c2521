package dev.orderly.messaging.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import dev.orderly.contracts.Topology;
import dev.orderly.testsupport.OrderlyInfrastructure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * The arguments {@link DomainTopology} declares behave on the real broker (RabbitMQ 3.10 here) as the runtime relies
 * on: a retry tier dead-letters expired messages back to the work queue, and the work queue's delivery limit
 * dead-letters a message that keeps being returned to the parking lot, at least once.
 */
class DomainTopologyIntegrationTests {

    private static final String DOMAIN = "topology-check";
    private static final Duration TIER = Duration.ofMillis(300);

    private static CachingConnectionFactory connectionFactory;
    private static Connection connection;

    @BeforeAll
    static void declare() throws Exception {
        connectionFactory =
                new CachingConnectionFactory(OrderlyInfrastructure.rabbit().connectionFactory());
        RabbitAdmin admin = new RabbitAdmin(connectionFactory);
        DomainTopology.declarables(DOMAIN, List.of("topology.check"), List.of(TIER), 3, true)
                .getDeclarables()
                .forEach(declarable -> {
                    switch (declarable) {
                        case org.springframework.amqp.core.Queue queue -> admin.declareQueue(queue);
                        case org.springframework.amqp.core.Exchange exchange -> admin.declareExchange(exchange);
                        case org.springframework.amqp.core.Binding binding -> admin.declareBinding(binding);
                        default -> throw new IllegalStateException("unexpected " + declarable);
                    }
                });
        connection = OrderlyInfrastructure.rabbit().connectionFactory().newConnection();
    }

    @AfterAll
    static void close() throws Exception {
        connection.close();
        connectionFactory.destroy();
    }

    @Test
    void queuesCarryTheirArgumentsOnTheBroker() {
        String listing = OrderlyInfrastructure.rabbit()
                .rabbitmqctl("list_queues", "-p", "orderly", "--no-table-headers", "name", "type", "arguments");

        assertThat(line(listing, Topology.workQueue(DOMAIN)))
                .contains("quorum")
                .contains("x-delivery-limit")
                .contains("x-dead-letter-strategy")
                .contains("at-least-once")
                .contains("reject-publish")
                .contains("orders.dlx");
        assertThat(line(listing, Topology.retryQueue(DOMAIN, TIER)))
                .contains("x-message-ttl")
                .contains(Topology.workQueue(DOMAIN));
        assertThat(line(listing, Topology.parkingLot(DOMAIN))).contains("quorum");
    }

    @Test
    void retryTierReturnsExpiredMessagesToTheWorkQueue() throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.basicPublish(
                    "",
                    Topology.retryQueue(DOMAIN, TIER),
                    MessageProperties.PERSISTENT_BASIC,
                    "retry-me".getBytes(StandardCharsets.UTF_8));

            GetResponse back = await().atMost(Duration.ofSeconds(20))
                    .until(() -> channel.basicGet(Topology.workQueue(DOMAIN), false), response -> response != null);
            assertThat(new String(back.getBody(), StandardCharsets.UTF_8)).isEqualTo("retry-me");
            channel.basicAck(back.getEnvelope().getDeliveryTag(), false);
        }
    }

    @Test
    void workQueueDeadLettersToTheParkingLotPastItsDeliveryLimit() throws Exception {
        try (Channel channel = connection.createChannel()) {
            channel.basicPublish(
                    Topology.EVENTS_EXCHANGE,
                    "topology.check",
                    MessageProperties.PERSISTENT_BASIC,
                    "keeps-dying".getBytes(StandardCharsets.UTF_8));

            // A consumer that returns it every time: the broker must stop redelivering after the limit (3).
            GetResponse parked = await().atMost(Duration.ofSeconds(30))
                    .until(
                            () -> {
                                GetResponse work = channel.basicGet(Topology.workQueue(DOMAIN), false);
                                if (work != null) {
                                    channel.basicNack(work.getEnvelope().getDeliveryTag(), false, true);
                                }
                                return channel.basicGet(Topology.parkingLot(DOMAIN), false);
                            },
                            response -> response != null);

            assertThat(new String(parked.getBody(), StandardCharsets.UTF_8)).isEqualTo("keeps-dying");
            assertThat(parked.getProps().getHeaders()).containsKey("x-first-death-reason");
            assertThat(parked.getProps()
                            .getHeaders()
                            .get("x-first-death-reason")
                            .toString())
                    .isEqualTo("delivery_limit");
            channel.basicAck(parked.getEnvelope().getDeliveryTag(), false);
        }
    }

    private static String line(String listing, String queue) {
        return listing.lines()
                .filter(line -> line.startsWith(queue + "\t") || line.startsWith(queue + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("queue " + queue + " not declared:\n" + listing));
    }
}
