package dev.orderly.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A PostgreSQL primary and a streaming standby of the system's packages, as {@code ./orderly up} runs them with
 * {@code ORDERLY_POSTGRES_STANDBY=1}: synchronous replication, so that every commit the primary confirmed survives its
 * {@code kill -9} once the standby is promoted; a JDBC URL naming both ({@code targetServerType=primary}) that finds
 * the primary whichever it is; and the failed primary rejoining as the new primary's standby. The two run on their own
 * ports beside this JVM's shared servers; the tests run in order, as one failover.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresStandbyIntegrationTests {

    private static final Duration REPLICATION_DEADLINE = Duration.ofSeconds(30);

    private static RunDirectory run;

    private static ProcessPostgres first;

    private static ProcessPostgres second;

    private static final String REPLICATOR_PASSWORD = Secrets.generate();

    @BeforeAll
    static void aPrimaryAndItsSynchronousStandby() {
        Optional<Path> binaries = ProcessPostgres.binaries();
        assumeTrue(binaries.isPresent(), "PostgreSQL's packages are not installed (the tests run in containers)");
        run = RunDirectory.create();
        PrivateCa ca = PrivateCa.ensure(run.directory("tls"), List.of());
        int[] ports = FreePorts.pick(2);
        String superuserPassword = Secrets.generate();
        first = server(binaries.get(), ca, "postgres", ports[0], superuserPassword);
        second = server(binaries.get(), ca, "postgres-2", ports[1], superuserPassword);
        first.initdb();
        first.start();
        first.ensureDatabase();
        first.ensureReplicator(REPLICATOR_PASSWORD);
        second.followAsStandby(first, REPLICATOR_PASSWORD);
        second.start();
        first.requireSynchronousStandby(Optional.of(second));
    }

    @AfterAll
    static void stopBoth() {
        if (run != null) {
            first.shutdown();
            second.shutdown();
            run.delete();
        }
    }

    @Test
    @Order(1)
    void theStandbyStreamsThePrimarysWalSynchronously() throws SQLException {
        assertThat(first.inRecovery()).isFalse();
        assertThat(second.inRecovery()).isTrue();
        awaitSynchronous(first, second);
        assertThat(primaryOfBoth()).isEqualTo(first.port());
    }

    @Test
    @Order(2)
    void everyCommitThePrimaryConfirmedIsOnTheStandbyPromotedAfterThePrimaryIsKilled() throws SQLException {
        int commits = 200;
        try (Connection primary = connect(first)) {
            execute(primary, "CREATE TABLE accepted (id int PRIMARY KEY)");
            for (int id = 1; id <= commits; id++) {
                execute(primary, "INSERT INTO accepted VALUES (" + id + ")"); // autocommit: one commit each
            }
        }

        first.postmaster().orElseThrow().destroyForcibly();
        await("the killed primary's postmaster gone")
                .atMost(Duration.ofSeconds(10))
                .until(() -> !first.running());
        second.promote();

        assertThat(second.inRecovery()).isFalse();
        assertThat(second.timeline()).as("a promotion starts a timeline").isGreaterThan(first.timeline());
        try (Connection promoted = connect(second)) {
            assertThat(count(promoted, "SELECT count(*) FROM accepted")).isEqualTo(commits);
            execute(promoted, "INSERT INTO accepted VALUES (" + (commits + 1) + ")");
        }
        assertThat(primaryOfBoth())
                .as("the URL naming both finds the promoted standby")
                .isEqualTo(second.port());
    }

    @Test
    @Order(3)
    void theFailedPrimaryRejoinsAsTheNewPrimarysSynchronousStandby() throws SQLException {
        first.followAsStandby(second, REPLICATOR_PASSWORD);
        first.start();
        second.requireSynchronousStandby(Optional.of(first));

        assertThat(first.inRecovery()).isTrue();
        assertThat(first.configuredAsStandby()).isTrue();
        assertThat(second.configuredAsStandby()).isFalse();
        awaitSynchronous(second, first);
        try (Connection primary = connect(second)) {
            execute(primary, "INSERT INTO accepted VALUES (1000)");
        }
        try (Connection standby = connect(first)) {
            await("the rejoined standby replaying the new primary's commit")
                    .atMost(REPLICATION_DEADLINE)
                    .until(() -> count(standby, "SELECT count(*) FROM accepted WHERE id = 1000") == 1);
            assertThat(count(standby, "SELECT count(*) FROM accepted")).isEqualTo(202);
        }
    }

    private static ProcessPostgres server(Path binaries, PrivateCa ca, String name, int port, String password) {
        Path home = run.path().resolve(name);
        return new ProcessPostgres(
                binaries,
                new ProcessPostgres.Layout(home.resolve("data"), home.resolve("postgres.log"), home.resolve("sockets")),
                port,
                password,
                List.of("-c", "fsync=off"),
                run,
                ca,
                name);
    }

    private static void awaitSynchronous(ProcessPostgres primary, ProcessPostgres standby) {
        await(standby.standbyName() + " streaming synchronously from port " + primary.port())
                .atMost(REPLICATION_DEADLINE)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    try (Connection connection = connect(primary);
                            Statement statement = connection.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT state, sync_state FROM pg_stat_replication "
                                    + "WHERE application_name = '" + standby.standbyName() + "'")) {
                        return rows.next()
                                && rows.getString(1).equals("streaming")
                                && rows.getString(2).equals("sync");
                    }
                });
    }

    /** The port a connection to a URL naming both servers, {@code targetServerType=primary}, lands on. */
    private static int primaryOfBoth() throws SQLException {
        String url = "jdbc:postgresql://127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port() + "/orderly?"
                + first.tlsParameters() + "&targetServerType=primary";
        try (Connection connection = DriverManager.getConnection(url, first.superuser(), first.superuserPassword())) {
            return count(connection, "SELECT inet_server_port()");
        }
    }

    private static Connection connect(ProcessPostgres server) throws SQLException {
        return server.connectAsSuperuser();
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int count(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
