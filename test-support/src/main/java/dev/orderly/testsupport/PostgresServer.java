package dev.orderly.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A running PostgreSQL with database {@code orderly} bootstrapped by {@code deploy/postgres/bootstrap.sql}: the
 * service roles, their schemas and their grants, exactly as in production.
 *
 * <p>Invariant: host, port, database and passwords never change for the life of the JVM, across {@link #stop()} and
 * {@link #start()} too, so connection settings handed to a Spring context stay valid after a chaos drill; and data
 * survives a stop and start.
 */
public sealed interface PostgresServer permits ProcessPostgres, ContainerPostgres {

    /** The host to connect to (a loopback address in process mode). */
    String host();

    /** The TCP port PostgreSQL listens on. */
    int port();

    /** The bootstrapped database: always {@code orderly}. */
    default String database() {
        return "orderly";
    }

    /** The superuser's name; tests use it only for set-up that no service role may do. */
    String superuser();

    /** The superuser's password, generated for this JVM. */
    String superuserPassword();

    /** The certificate of the CA that signed the server's certificate: what a client verifies the server against. */
    Path certificateAuthority();

    /**
     * The JDBC URL of database {@link #database()}: TLS, with the server's certificate and host name verified against
     * {@link #certificateAuthority()} ({@code sslmode=verify-full}).
     */
    default String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database() + "?" + tlsParameters();
    }

    /** pgjdbc's URL parameters for TLS with the server verified: {@code sslmode=verify-full&sslrootcert=<ca>}. */
    default String tlsParameters() {
        return "sslmode=verify-full&sslrootcert=" + certificateAuthority();
    }

    /**
     * The password of one of the roles bootstrap.sql creates.
     *
     * @throws IllegalArgumentException if {@code role} is not one of {@link Service#databaseRoles()}
     */
    default String passwordFor(String role) {
        return Service.withRole(role).testPassword().orElseThrow();
    }

    /** A new connection to {@link #database()} as {@code role}, with that role's own (least) privileges. */
    default Connection connect(String role) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), role, passwordFor(role));
    }

    /** A new connection to {@link #database()} as the superuser. */
    default Connection connectAsSuperuser() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), superuser(), superuserPassword());
    }

    /** Stops the server (a fast shutdown: open sessions are ended); does nothing if it is already stopped. */
    void stop();

    /** Starts the server again on the same port with the same data and waits until it accepts connections. */
    void start();

    /** {@link #stop()} then {@link #start()}. */
    default void restart() {
        stop();
        start();
    }
}
