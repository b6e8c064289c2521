package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * PostgreSQL 17 in a Testcontainers container, with database {@code orderly} bootstrapped by bootstrap.sql, and TLS
 * only over TCP as {@link ProcessPostgres} (the {@link PrivateCa}'s server certificate, a pg_hba.conf with
 * {@code hostssl} and no {@code host} line), set up by {@link #TLS_ENTRYPOINT} as compose's PostgreSQL is.
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

    /**
     * The image's entrypoint, after putting the certificate and key where the server user owns them (PostgreSQL
     * refuses a key others can read) and writing a pg_hba.conf that allows TCP with TLS only; compose's PostgreSQL
     * runs the same lines.
     */
    static final String TLS_ENTRYPOINT = "set -e; d=/var/lib/postgresql/orderly-tls; mkdir -p $d; "
            + "cp /orderly-tls/postgres.crt $d/server.crt; cp /orderly-tls/postgres.key $d/server.key; "
            + "cp /orderly-tls/ca.crt $d/root.crt; "
            + "printf 'local all all trust\\nhostssl all all all scram-sha-256\\n' > $d/pg_hba.conf; "
            + "chown -R postgres:postgres $d; chmod 600 $d/server.key; exec docker-entrypoint.sh \"$@\"";

    private final PostgreSQLContainer container;

    private final PrivateCa ca;

    ContainerPostgres(PrivateCa ca) {
        this.ca = ca;
        this.container = new PostgreSQLContainer(DockerImageName.parse(IMAGE))
                .withDatabaseName(database())
                .withUsername(SUPERUSER)
                .withPassword(this.superuserPassword);
        for (String file : new String[] {"ca.crt", "postgres.crt", "postgres.key"}) {
            this.container.withCopyFileToContainer(
                    MountableFile.forHostPath(ca.directory().resolve(file), 0644), "/orderly-tls/" + file);
        }
        this.container.withCreateContainerCmdModifier(
                command -> command.withEntrypoint("sh", "-c", TLS_ENTRYPOINT, "sh"));
        // synchronous_commit stays on: crash drills rely on committed rows surviving a kill of the server.
        this.container.withCommand(
                "postgres",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
                "-c",
                "ssl=on",
                "-c",
                "ssl_cert_file=/var/lib/postgresql/orderly-tls/server.crt",
                "-c",
                "ssl_key_file=/var/lib/postgresql/orderly-tls/server.key",
                "-c",
                "ssl_ca_file=/var/lib/postgresql/orderly-tls/root.crt",
                "-c",
                "hba_file=/var/lib/postgresql/orderly-tls/pg_hba.conf");
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
    public Path certificateAuthority() {
        return this.ca.authority();
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
