package dev.orderly.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A private PostgreSQL cluster run from the system's packages: its own data directory in the run directory, its own
 * loopback port, password authentication for everyone (scram-sha-256), and database {@code orderly} bootstrapped by
 * bootstrap.sql.
 *
 * <p>Invariant: the server runs as the {@code postgres} service user when this JVM is root (PostgreSQL refuses root);
 * its postmaster is recorded in the run directory whenever it runs; {@code fsync} is off for speed but
 * {@code synchronous_commit} stays on, so a committed row survives a crash of the server (not of the machine).
 */
final class ProcessPostgres implements PostgresServer {

    private static final System.Logger LOG = System.getLogger(ProcessPostgres.class.getName());

    private static final String SERVICE_USER = "postgres";

    private static final String SUPERUSER = "postgres";

    private static final String HOST = "127.0.0.1";

    /** Linux limits a Unix socket path to 107 bytes; PostgreSQL appends {@code /.s.PGSQL.<port>} to the directory. */
    private static final int MAX_SOCKET_DIRECTORY_LENGTH = 90;

    private final Path binaries;

    private final RunDirectory run;

    private final Path home;

    private final Path data;

    private final Path log;

    private final int port;

    private final String superuserPassword = Secrets.generate();

    private @Nullable Path socketDirectory;

    private @Nullable ProcessHandle postmaster;

    ProcessPostgres(Path binaries, RunDirectory run, int port) {
        this.binaries = binaries;
        this.run = run;
        this.port = port;
        this.home = run.path().resolve("postgres");
        this.data = this.home.resolve("data");
        this.log = this.home.resolve("postgres.log");
    }

    /** Creates the cluster, starts it, creates database {@code orderly} and runs bootstrap.sql in it. */
    void initialise(byte[] bootstrapSql) {
        try {
            Files.createDirectories(this.home);
            Files.setPosixFilePermissions(this.home, PosixFilePermissions.fromString("rwx------"));
            giveToServiceUser(this.home);
            Path passwordFile = this.home.resolve("superuser-password");
            Files.writeString(passwordFile, this.superuserPassword + "\n");
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            giveToServiceUser(passwordFile);
            this.socketDirectory = socketDirectory();
            Command.runChecked(
                    "initdb of the test PostgreSQL in " + this.data,
                    asServiceUser(
                            "initdb",
                            "-D",
                            this.data.toString(),
                            "-U",
                            SUPERUSER,
                            "--pwfile=" + passwordFile,
                            "-A",
                            "scram-sha-256",
                            "-E",
                            "UTF8",
                            "--locale=C",
                            "--no-sync"),
                    environment(),
                    Duration.ofSeconds(120));
            Files.delete(passwordFile);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not prepare the test PostgreSQL in " + this.home, ex);
        }
        start();
        createDatabase();
        bootstrap(bootstrapSql);
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port() {
        return this.port;
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
    public synchronized void start() {
        ProcessHandle current = this.postmaster;
        if (current != null && current.isAlive()) {
            return;
        }
        this.run.recordPidFile(this.data.resolve("postmaster.pid"));
        String options = "-p " + this.port + " -c listen_addresses=" + HOST + " -k '" + this.socketDirectory + "'"
                + " -c fsync=off -c max_connections=200";
        try {
            Command.runChecked(
                    "Starting the test PostgreSQL on " + HOST + ":" + this.port,
                    asServiceUser(
                            "pg_ctl",
                            "start",
                            "-w",
                            "-t",
                            "60",
                            "-D",
                            this.data.toString(),
                            "-l",
                            this.log.toString(),
                            "-o",
                            options),
                    environment(),
                    Duration.ofSeconds(90));
        } catch (IllegalStateException ex) {
            throw new IllegalStateException(
                    ex.getMessage() + "\n  server log " + this.log + ":\n" + Command.tail(this.log, 30));
        }
        ProcessHandle started = readPostmaster();
        this.run.record(started);
        this.postmaster = started;
    }

    @Override
    public synchronized void stop() {
        ProcessHandle current = this.postmaster;
        this.postmaster = null;
        if (current == null || !current.isAlive()) {
            return;
        }
        try {
            Command.Result result = Command.run(
                    asServiceUser("pg_ctl", "stop", "-w", "-t", "30", "-m", "fast", "-D", this.data.toString()),
                    environment(),
                    Duration.ofSeconds(45));
            if (result.exitCode() != 0) {
                LOG.log(Level.WARNING, "pg_ctl stop failed with {0}", result.describe());
            }
        } catch (IllegalStateException ex) {
            LOG.log(Level.WARNING, "pg_ctl stop did not finish", ex);
        }
        if (!RunDirectory.awaitExit(current, Duration.ofSeconds(10))) {
            LOG.log(Level.WARNING, "PostgreSQL " + current.pid() + " did not stop in time; killing it");
            current.destroyForcibly();
            RunDirectory.awaitExit(current, Duration.ofSeconds(10));
        }
    }

    /** Stops the server and removes what lives outside the run directory. */
    void shutdown() {
        stop();
        Path sockets = this.socketDirectory;
        if (sockets != null && !sockets.startsWith(this.run.path())) {
            try {
                Files.deleteIfExists(sockets);
            } catch (IOException ex) {
                LOG.log(Level.WARNING, "Could not delete " + sockets, ex);
            }
        }
    }

    private Path socketDirectory() throws IOException {
        Path inRun = this.home.resolve("sockets");
        Path directory = (inRun.toString().length() <= MAX_SOCKET_DIRECTORY_LENGTH)
                ? Files.createDirectories(inRun)
                : Files.createTempDirectory(Path.of("/tmp"), "orderly-pg");
        giveToServiceUser(directory);
        return directory;
    }

    private ProcessHandle readPostmaster() {
        Path pidFile = this.data.resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            return ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalStateException("PostgreSQL reported PID " + pid + " in " + pidFile
                            + " but no such process runs; see " + this.log));
        } catch (IOException ex) {
            throw new UncheckedIOException("pg_ctl reported PostgreSQL started, but " + pidFile + " is unreadable", ex);
        }
    }

    private void createDatabase() {
        String url = "jdbc:postgresql://" + HOST + ":" + this.port + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, SUPERUSER, this.superuserPassword);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database());
        } catch (SQLException ex) {
            throw new IllegalStateException("Could not create database " + database() + " in the test PostgreSQL", ex);
        }
    }

    private void bootstrap(byte[] bootstrapSql) {
        Path script = this.run.path().resolve("bootstrap.sql");
        try {
            Files.write(script, bootstrapSql);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not write " + script, ex);
        }
        List<String> command = new ArrayList<>(List.of(
                this.binaries.resolve("psql").toString(),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                HOST,
                "-p",
                Integer.toString(this.port),
                "-U",
                SUPERUSER,
                "-d",
                database()));
        for (DatabaseRole role : DatabaseRole.values()) {
            command.add("-v");
            command.add(role.passwordVariable() + "=" + role.testPassword());
        }
        command.add("-f");
        command.add(script.toString());
        Map<String, String> environment = environment();
        environment.put("PGPASSWORD", this.superuserPassword);
        Command.runChecked(
                "Running bootstrap.sql in the test PostgreSQL", command, environment, Duration.ofSeconds(60));
    }

    private List<String> asServiceUser(String program, String... args) {
        List<String> command = new ArrayList<>();
        command.add(this.binaries.resolve(program).toString());
        command.addAll(List.of(args));
        return Command.asUser(SERVICE_USER, command);
    }

    /** The environment without the libpq variables that could point psql or pg_ctl somewhere else. */
    private static Map<String, String> environment() {
        Map<String, String> environment = Command.inheritedEnvironment(name -> name.startsWith("PG"));
        environment.put("LC_ALL", "C");
        return environment;
    }

    private static void giveToServiceUser(Path path) throws IOException {
        if (!Command.runningAsRoot()) {
            return;
        }
        UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(SERVICE_USER));
        view.setGroup(users.lookupPrincipalByGroupName(SERVICE_USER));
    }
}
