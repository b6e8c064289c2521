package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL 17 in a Testcontainers container, with database {@code orderly} bootstrapped by bootstrap.sql.
 *
 * <p>Invariant: the host port is fixed when the container is created, so {@link #stop()} and {@link #start()} (a
 * Docker stop and start of the same container) keep port and data.
 */
final class ContainerPostgres implements PostgresServer {

    private static final String IMAGE = "postgres:17";

    private static final int POSTGRES_PORT = 5432;

    private static final String SUPERUSER = "postgres";

    private final String superuserPassword = Secrets.generate();

    private final int hostPort = FreePorts.pick(1)[0];

    private final PostgreSQLContainer container;

    ContainerPostgres() {
        this.container = new PostgreSQLContainer(DockerImageName.parse(IMAGE))
                .withDatabaseName(database())
                .withUsername(SUPERUSER)
                .withPassword(this.superuserPassword);
        // synchronous_commit stays on: crash drills rely on committed rows surviving a kill of the server.
        this.container.withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=200");
        Containers.bindPorts(this.container, new int[] {this.hostPort}, POSTGRES_PORT);
    }

    void initialise(byte[] bootstrapSql) {
        this.container.start();
        String script = "/tmp/orderly-bootstrap.sql";
        this.container.copyFileToContainer(Transferable.of(bootstrapSql), script);
        List<String> command = new ArrayList<>(
                List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", SUPERUSER, "-d", database()));
        for (Service service : Service.values()) {
            service.passwordVariable().ifPresent(variable -> {
                command.add("-v");
                command.add(variable + "=" + service.testPassword().orElseThrow());
            });
        }
        command.add("-f");
        command.add(script);
        Containers.exec(this.container, command.toArray(String[]::new));
    }

    @Override
    public String host() {
        return this.container.getHost();
    }

    @Override
    public int port() {
        return this.hostPort;
    }

    @Override
    public String superuser() {
        return SUPERUSER;
    }

    @Override
    public String superuserPassword() {
        return this.superuserPassword;
    }

    @Override
    public synchronized void stop() {
        Containers.stop(this.container);
    }

    @Override
    public synchronized void start() {
        Containers.start(this.container);
        await("PostgreSQL container accepting connections on " + host() + ":" + this.hostPort)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(this::acceptsConnections);
    }

    void shutdown() {
        this.container.stop();
    }

    private boolean acceptsConnections() {
        try (Connection connection = connectAsSuperuser()) {
            return connection.isValid(2);
        } catch (SQLException ex) {
            return false;
        }
    }
}
