package dev.orderly.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.orderly.testsupport.Service;
import dev.orderly.testsupport.TestMessageKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Each service runs as its own broker user and database role, with only the rights its job needs
 * (docs/design.md#data-ownership, deploy/rabbitmq/definitions.json, deploy/postgres/bootstrap.sql): checked here with the very credentials
 * {@code ./orderly up} gave the running services.
 */
@ExtendWith(PipelineExtension.class)
class LeastPrivilegeIntegrationTests {

    private static final int ACCESS_REFUSED = 403;
    private static final String INSUFFICIENT_PRIVILEGE = "42501";
    /** The per-user limits of every service's broker user in deploy/rabbitmq/definitions.json. */
    private static final int USER_MAX_CONNECTIONS = 10;

    private static final int USER_MAX_CHANNELS = 256;

    private final Pipeline pipeline;

    LeastPrivilegeIntegrationTests(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Test
    void paymentWorkerMayNotPublishEvents() throws Exception {
        try (Connection connection = paymentWorker()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish("orders.events", "payment.authorized", persistent("forged-event"), body("{}"));

            assertThatThrownBy(() -> channel.waitForConfirmsOrDie(10_000)).isInstanceOf(ShutdownSignalException.class);
            assertRefused(channel, "orders.events");
        }
    }

    @Test
    void paymentWorkerMayNotRetryIntoAnotherDomainsTier() throws Exception {
        try (Connection connection = paymentWorker()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish("orders.retry", "order.retry.1s", persistent("foreign-retry"), body("{}"));

            assertThatThrownBy(() -> channel.waitForConfirmsOrDie(10_000)).isInstanceOf(ShutdownSignalException.class);
            assertRefused(channel, "order.retry.1s");
        }
    }

    /**
     * The whole retry route under least privilege: the worker's user publishes to its own 1 s tier through
     * {@code orders.retry}, the tier dead-letters it back through {@code orders.retry} to {@code payment.work} when its
     * TTL ends, and the worker (this being no event) parks it through {@code orders.dlx}.
     */
    @Test
    void paymentWorkerRetriesThroughItsOwnTierBackToItsWorkQueue() throws Exception {
        String messageId = "own-retry-" + UUID.randomUUID();
        try (Connection connection = paymentWorker()) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            // Signed with the pipeline's key, so that what parks it is its body, not its signature.
            AMQP.BasicProperties signed = TestMessageKeys.sign(
                    persistent(messageId)
                            .builder()
                            .type("inventory.reserved")
                            .headers(Map.of("event_version", 1, "orderly-producer", "order-worker"))
                            .build(),
                    body("not an event"),
                    "k1",
                    pipeline.setting("ORDERLY_MESSAGING_SIGNING_KEYS_K1"));
            channel.basicPublish("orders.retry", "payment.retry.1s", true, signed, body("not an event"));
            channel.waitForConfirmsOrDie(10_000);
            assertThat(channel.isOpen()).isTrue();
        }

        ParkingLot parkingLot = new ParkingLot(pipeline, "payment");
        JsonNode parked = parkingLot.awaitParked(messageId);
        assertThat(parked.path("reason").asString()).isEqualTo("UNPARSEABLE");
        assertThat(parked.path("originalRoutingKey").asString()).isEqualTo("payment.work");
        parkingLot.purge(parked.path("id").asLong());
    }

    @Test
    void paymentWorkerMayNotReadAnotherDomainsQueue() throws Exception {
        try (Connection connection = paymentWorker()) {
            Channel channel = connection.createChannel();

            assertThatThrownBy(() -> channel.basicGet("order.work", false))
                    .hasRootCauseInstanceOf(ShutdownSignalException.class);
            assertRefused(channel, "order.work");
        }
    }

    @Test
    void relayMayNotPublishAnywhereButTheEventsExchange() throws Exception {
        try (Connection connection = pipeline.amqp(Service.OUTBOX_RELAY)) {
            Channel channel = connection.createChannel();
            channel.confirmSelect();
            channel.basicPublish("orders.dlx", "payment", persistent("forged-parking"), body("{}"));

            assertThatThrownBy(() -> channel.waitForConfirmsOrDie(10_000)).isInstanceOf(ShutdownSignalException.class);
            assertRefused(channel, "orders.dlx");
        }
    }

    @Test
    void orderApiRoleMayNotReadPayments() throws Exception {
        try (java.sql.Connection db = pipeline.database(Service.ORDER_API);
                Statement statement = db.createStatement()) {
            assertThatThrownBy(() -> statement.executeQuery("SELECT count(*) FROM payments.payments"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        }
    }

    @Test
    void relayRoleReadsOutboxesButNotOrders() throws Exception {
        try (java.sql.Connection db = pipeline.database(Service.OUTBOX_RELAY);
                Statement statement = db.createStatement()) {
            statement.executeQuery("SELECT count(*) FROM orders.outbox").close();

            assertThatThrownBy(() -> statement.executeQuery("SELECT count(*) FROM orders.orders"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        }
    }

    @Test
    void paymentWorkerRoleMayNotTouchStock() throws Exception {
        try (java.sql.Connection db = pipeline.database(Service.PAYMENT_WORKER);
                Statement statement = db.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate("UPDATE orders.inventory SET on_hand = on_hand + 1"))
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(INSUFFICIENT_PRIVILEGE));
        }
    }

    /**
     * A service's broker user may hold 10 connections and 256 channels (definitions.json), so a leaked credential or a
     * runaway client cannot exhaust the broker's file handles or memory. The running worker already holds some of its
     * user's connections, so the refusal comes before (or at) the tenth this test opens.
     */
    @Test
    void aServiceUserMayNotOpenConnectionsWithoutBound() {
        List<Connection> opened = new ArrayList<>();
        try {
            assertThatThrownBy(() -> {
                        for (int i = 0; i <= USER_MAX_CONNECTIONS; i++) {
                            opened.add(paymentWorker());
                        }
                    })
                    .hasStackTraceContaining("user connection limit (" + USER_MAX_CONNECTIONS + ") is reached");
            assertThat(opened).hasSizeLessThan(USER_MAX_CONNECTIONS);
        } finally {
            opened.forEach(LeastPrivilegeIntegrationTests::closeQuietly);
        }
    }

    @Test
    void aServiceUserMayNotOpenChannelsWithoutBound() {
        Connection connection = paymentWorker();
        try {
            assertThatThrownBy(() -> {
                        for (int i = 0; i <= USER_MAX_CHANNELS; i++) {
                            connection.createChannel();
                        }
                    })
                    .hasStackTraceContaining("maximum allowed user limit of (" + USER_MAX_CHANNELS + ")");
        } finally {
            closeQuietly(connection);
        }
    }

    /** The monitoring user reads the management API and metrics over HTTP; it may not open an AMQP connection at all. */
    @Test
    void monitoringUserMayNotOpenAnAmqpConnection() {
        assertThatThrownBy(() ->
                        pipeline.amqp("orderly-monitoring", pipeline.setting("ORDERLY_RABBITMQ_MONITORING_PASSWORD")))
                .hasStackTraceContaining("user connection limit (0) is reached");
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (IOException | RuntimeException e) {
            // already closed by the broker
        }
    }

    private Connection paymentWorker() {
        return pipeline.amqp(Service.PAYMENT_WORKER);
    }

    /** The broker closed the channel with 403 ACCESS_REFUSED, naming what was refused. */
    private static void assertRefused(Channel channel, String what) {
        assertThat(channel.isOpen()).isFalse();
        ShutdownSignalException closed = channel.getCloseReason();
        assertThat(closed).isNotNull();
        assertThat(closed.getReason()).isInstanceOfSatisfying(AMQP.Channel.Close.class, close -> {
            assertThat(close.getReplyCode()).isEqualTo(ACCESS_REFUSED);
            assertThat(close.getReplyText()).startsWith("ACCESS_REFUSED").contains(what);
        });
    }

    private static AMQP.BasicProperties persistent(String messageId) {
        return new AMQP.BasicProperties.Builder()
                .messageId(messageId)
                .contentType("application/json")
                .deliveryMode(2)
                .build();
    }

    private static byte[] body(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
