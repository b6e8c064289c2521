package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real PostgreSQL and RabbitMQ as services will meet them: bootstrap roles and their least privileges, persistent
 * messaging on virtual host {@code orderly}, management and Prometheus endpoints, and data surviving restarts on the
 * same ports.
 */
class OrderlyInfrastructureIntegrationTests {

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private static final String INVALID_PASSWORD = "28P01";

    private final PostgresServer postgres = OrderlyInfrastructure.postgres();

    private final RabbitBroker rabbit = OrderlyInfrastructure.rabbit();

    static List<String> roles() {
        return Service.databaseRoles();
    }

    @ParameterizedTest
    @MethodSource("roles")
    void everyBootstrapRoleLogsInToOrderlyWithItsOwnPassword(String role) throws SQLException {
        try (Connection connection = this.postgres.connect(role)) {
            assertThat(query(connection, "select current_user")).isEqualTo(role);
            assertThat(query(connection, "select current_database()")).isEqualTo("orderly");
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        assertThatExceptionOfType(SQLException.class)
                .isThrownBy(
                        () -> DriverManager.getConnection(this.postgres.jdbcUrl(), "orderly_api", "not-the-password")
                                .close())
                .extracting(SQLException::getSQLState)
                .isEqualTo(INVALID_PASSWORD);
    }

    @Test
    void onlyBootstrapRolesHavePasswords() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> this.postgres.passwordFor("postgres"))
                .withMessageContaining("orderly_api");
    }

    @Test
    void apiRoleOwnsOrdersButCanNeitherReadNorCreateInPayments() throws SQLException {
        String table = unique("api_probe");
        try (Connection api = this.postgres.connect("orderly_api")) {
            execute(api, "create table orders." + table + " (id int primary key)");
            execute(api, "insert into orders." + table + " values (1)");
            assertThat(query(api, "select count(*) from orders." + table)).isEqualTo("1");
        }
        try (Connection payments = this.postgres.connect("orderly_payments")) {
            execute(payments, "create table payments." + table + " (id int primary key)");
        }
        try (Connection api = this.postgres.connect("orderly_api")) {
            assertPrivilegeDenied(api, "select * from payments." + table);
            assertPrivilegeDenied(api, "create table payments." + unique("api_intrusion") + " (id int)");
        }
    }

    @Test
    void orderWorkerReadsAndWritesTheApisTablesButCreatesNothing() throws SQLException {
        String table = unique("worker_probe");
        try (Connection api = this.postgres.connect("orderly_api")) {
            execute(api, "create table orders." + table + " (id serial primary key, note text)");
        }
        try (Connection worker = this.postgres.connect("orderly_order_worker")) {
            execute(worker, "insert into orders." + table + " (note) values ('from the worker')");
            execute(worker, "update orders." + table + " set note = 'updated'");
            assertThat(query(worker, "select note from orders." + table)).isEqualTo("updated");
            assertPrivilegeDenied(worker, "create table orders." + unique("worker_table") + " (id int)");
        }
    }

    @ParameterizedTest
    @MethodSource("roles")
    void noServiceRoleMayCreateTemporaryTables(String role) throws SQLException {
        try (Connection connection = this.postgres.connect(role)) {
            assertPrivilegeDenied(connection, "create temporary table " + unique("temp_table") + " (id int)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"orders", "payments", "shipping", "public"})
    void relayRoleCannotCreateTablesInAnySchema(String schema) throws SQLException {
        try (Connection relay = this.postgres.connect("orderly_relay")) {
            assertPrivilegeDenied(relay, "create table " + schema + "." + unique("relay_table") + " (id int)");
        }
    }

    @Test
    void persistentMessageRoundTripsThroughADurableQueueOnVirtualHostOrderly() throws Exception {
        String queue = unique("it.round-trip");
        byte[] body = "order-42 placed".getBytes(StandardCharsets.UTF_8);
        try (com.rabbitmq.client.Connection connection =
                        this.rabbit.connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, body);
            channel.waitForConfirmsOrDie(5_000);

            GetResponse received =
                    await().atMost(Duration.ofSeconds(5)).until(() -> channel.basicGet(queue, true), r -> r != null);
            assertThat(received.getBody()).isEqualTo(body);
            assertThat(received.getProps().getDeliveryMode()).isEqualTo(2);
            channel.queueDelete(queue);
        }
    }

    @Test
    void theQueueLivesOnVirtualHostOrderlyAndRabbitmqctlSeesIt() throws Exception {
        String queue = unique("it.vhost");
        try (com.rabbitmq.client.Connection connection =
                        this.rabbit.connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            assertThat(this.rabbit.rabbitmqctl("list_queues", "-q", "-p", "orderly", "name"))
                    .contains(queue);
            assertThat(this.rabbit.rabbitmqctl("list_queues", "-q", "-p", "/", "name"))
                    .doesNotContain(queue);
            channel.queueDelete(queue);
        }
    }

    @Test
    void definitionsImportedThroughTheManagementApiDeclareTheirQueue(@TempDir Path directory) throws Exception {
        assumeTrue(this.rabbit instanceof ProcessRabbit, "./orderly up imports into a ProcessRabbit only");
        String queue = unique("it.imported");
        Path definitions = Files.writeString(directory.resolve("definitions.json"), """
                {"queues": [{"name": "%s", "vhost": "orderly", "durable": true, "auto_delete": false,
                             "arguments": {"x-queue-type": "quorum"}}]}
                """.formatted(queue));

        ((ProcessRabbit) this.rabbit).importDefinitions(definitions);

        try (com.rabbitmq.client.Connection connection =
                        this.rabbit.connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            assertThat(channel.queueDeclarePassive(queue).getQueue()).isEqualTo(queue);
            channel.queueDelete(queue);
        }
    }

    @Test
    void definitionsImportedWithAWrongAdministratorPasswordAreRefusedAsSuch(@TempDir Path directory) throws Exception {
        assumeTrue(this.rabbit instanceof ProcessRabbit, "./orderly up imports into a ProcessRabbit only");
        Path definitions = Files.writeString(directory.resolve("definitions.json"), "{\"queues\": []}");
        ProcessRabbit wrongPassword = NeverStartedRabbit.at(this.rabbit.managementPort(), "not-the-password");

        assertThatExceptionOfType(ProcessRabbit.RefusedLoginException.class)
                .isThrownBy(() -> wrongPassword.importDefinitions(definitions))
                .withMessageContaining("orderly-admin");
    }

    @Test
    void rabbitmqctlFailsClearlyOnANonZeroExit() {
        assertThatIllegalStateException()
                .isThrownBy(() -> this.rabbit.rabbitmqctl("delete_vhost", "no-such-vhost"))
                .withMessageContaining("rabbitmqctl delete_vhost no-such-vhost")
                .withMessageContaining("exit code");
    }

    @Test
    void managementApiAndPrometheusAnswerOnTheirPorts() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String credentials = Base64.getEncoder()
                .encodeToString(
                        (this.rabbit.adminUser() + ":" + this.rabbit.adminPassword()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> whoami = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://" + this.rabbit.host() + ":" + this.rabbit.managementPort() + "/api/whoami"))
                        .header("Authorization", "Basic " + credentials)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(whoami.statusCode()).isEqualTo(200);
        assertThat(whoami.body()).contains("\"orderly-admin\"").contains("administrator");

        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://" + this.rabbit.host() + ":" + this.rabbit.prometheusPort() + "/metrics"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("rabbitmq_");
    }

    @Test
    void aDurableQueueAndItsPersistentMessageSurviveABrokerRestartOnTheSamePort() throws Exception {
        String queue = unique("it.survivor");
        int port = this.rabbit.amqpPort();
        try (com.rabbitmq.client.Connection connection =
                        this.rabbit.connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "classic"));
            channel.confirmSelect();
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, "kept".getBytes());
            channel.waitForConfirmsOrDie(5_000);
        }

        this.rabbit.stop();
        assertThatThrownBy(() -> this.rabbit.connectionFactory().newConnection().close())
                .isInstanceOfAny(IOException.class, TimeoutException.class);
        this.rabbit.start();

        assertThat(this.rabbit.amqpPort()).isEqualTo(port);
        try (com.rabbitmq.client.Connection connection =
                        this.rabbit.connectionFactory().newConnection();
                Channel channel = connection.createChannel()) {
            AMQP.Queue.DeclareOk survivor = channel.queueDeclarePassive(queue);
            assertThat(survivor.getMessageCount()).isEqualTo(1);
            GetResponse kept = channel.basicGet(queue, true);
            assertThat(kept).isNotNull();
            assertThat(new String(kept.getBody(), StandardCharsets.UTF_8)).isEqualTo("kept");
            channel.queueDelete(queue);
        }
    }

    @Test
    void postgresRestartKeepsCommittedRowsAndThePort() throws SQLException {
        String table = unique("restart_probe");
        int port = this.postgres.port();
        try (Connection api = this.postgres.connect("orderly_api")) {
            execute(api, "create table orders." + table + " (id int primary key, note text)");
            execute(api, "insert into orders." + table + " values (1, 'committed before the restart')");
        }

        this.postgres.restart();

        assertThat(this.postgres.port()).isEqualTo(port);
        try (Connection api = this.postgres.connect("orderly_api")) {
            assertThat(query(api, "select note from orders." + table + " where id = 1"))
                    .isEqualTo("committed before the restart");
        }
    }

    @Test
    void postgresRefusesConnectionsWhileStoppedAndAcceptsThemAgainAfterStart() throws SQLException {
        this.postgres.stop();
        try {
            assertThatExceptionOfType(SQLException.class)
                    .isThrownBy(() -> this.postgres.connect("orderly_api").close());
        } finally {
            this.postgres.start();
        }
        try (Connection api = this.postgres.connect("orderly_api")) {
            assertThat(query(api, "select 1")).isEqualTo("1");
        }
    }

    private static void assertPrivilegeDenied(Connection connection, String sql) {
        assertThatExceptionOfType(SQLException.class)
                .as("'%s' must be refused", sql)
                .isThrownBy(() -> execute(connection, sql))
                .extracting(SQLException::getSQLState)
                .isEqualTo(INSUFFICIENT_PRIVILEGE);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static @Nullable String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).as("'%s' returns a row", sql).isTrue();
            return result.getString(1);
        }
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
    }
}
