package dev.orderly.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;

/**
 * Opens PostgreSQL connections that live outside the pool, for the two jobs that need one session for a long time:
 * holding a table's advisory lock (the lease dies with the session) and receiving notifications ({@code LISTEN} is
 * per session).
 *
 * <p>Why not the pool: Hikari retires connections after {@code max-lifetime} and may hand the same connection to any
 * caller, while a lease must stay on exactly one session until it is released on purpose. Each connection is named
 * {@code outbox-relay/<instance>/<purpose>} in {@code pg_stat_activity.application_name}, so an operator can see
 * which instance holds which table.
 *
 * <p>Invariant: connections use the same URL and role as the pool (the relay's own least-privileged role).
 */
public final class DedicatedConnections {

    private static final int APPLICATION_NAME_MAX = 63; // PostgreSQL truncates longer names (NAMEDATALEN - 1)

    private static final int CONNECT_TIMEOUT_SECONDS = 10;

    private final JdbcConnectionDetails details;
    private final String instanceId;

    public DedicatedConnections(JdbcConnectionDetails details, String instanceId) {
        this.details = details;
        this.instanceId = instanceId;
    }

    /** This instance's name, as in {@code orderly.relay.instance-id}. */
    public String instanceId() {
        return instanceId;
    }

    /** The {@code application_name} a connection opened for {@code purpose} carries. */
    public String applicationName(String purpose) {
        String name = "outbox-relay/" + instanceId + "/" + purpose;
        return name.length() <= APPLICATION_NAME_MAX ? name : name.substring(0, APPLICATION_NAME_MAX);
    }

    /**
     * Opens a new connection in auto-commit mode.
     *
     * @param purpose what the connection is for, such as {@code lease orders.outbox}
     * @throws SQLException if the database cannot be reached or refuses the role
     */
    public Connection open(String purpose) throws SQLException {
        Properties properties = new Properties();
        String username = details.getUsername();
        if (username != null) {
            properties.setProperty("user", username);
        }
        String password = details.getPassword();
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", applicationName(purpose));
        properties.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = DriverManager.getConnection(details.getJdbcUrl(), properties);
        connection.setAutoCommit(true);
        return connection;
    }
}
