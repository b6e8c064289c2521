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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A private PostgreSQL cluster run from the system's packages: its own data directory, its own loopback port, TLS
 * only (a {@link PrivateCa}'s server certificate; pg_hba.conf has {@code hostssl} lines and no {@code host} line, so a
 * connection without TLS is refused), password authentication for everyone (scram-sha-256), and database
 * {@code orderly} bootstrapped by bootstrap.sql.
 * The tests run one per JVM in a throwaway run directory ({@link #forTests}); {@code ./orderly up} runs one that
 * persists in its state directory.
 *
 * <p>Invariant: the server runs as the {@code postgres} service user when this JVM is root (PostgreSQL refuses root),
 * listens on 127.0.0.1 only and over TCP with TLS only, and its postmaster is recorded whenever it runs.
 */
public final class ProcessPostgres implements PostgresServer {

    private static final System.Logger LOG = System.getLogger(ProcessPostgres.class.getName());

    private static final String SERVICE_USER = "postgres";

    private static final String SUPERUSER = "postgres";

    private static final String HOST = "127.0.0.1";

    /** The TLS files, copied into the data directory (relative names are the data directory's). */
    private static final String SERVER_CERTIFICATE = "server.crt";

    private static final String SERVER_KEY = "server.key";

    private static final String AUTHORITY = "root.crt";

    /**
     * Who may connect how: over TCP with TLS only ({@code hostssl}; no {@code host} line, so a connection without TLS
     * finds no entry and is refused), and on the Unix socket, which no one outside this machine's users reaches; a
     * password for everyone.
     */
    private static final String PG_HBA = """
            # Written by Orderly at every start: TLS only over TCP; see docs/security.md.
            # TYPE   DATABASE  USER  ADDRESS        METHOD
            local    all       all                  scram-sha-256
            hostssl  all       all   127.0.0.1/32   scram-sha-256
            """;

    /** Linux limits a Unix socket path to 107 bytes; PostgreSQL appends {@code /.s.PGSQL.<port>} to the directory. */
    private static final int MAX_SOCKET_DIRECTORY_LENGTH = 90;

    /**
     * Where one cluster keeps its files.
     *
     * @param data the data directory ({@code initdb -D})
     * @param log the server's log file
     * @param socketDirectory where its Unix socket goes (created if missing; a short path under /tmp if this one is too
     *     long for a socket)
     */
    public record Layout(Path data, Path log, Path socketDirectory) {}

    private final Path binaries;
    private final Layout layout;
    private final int port;
    private final String superuserPassword;
    private final List<String> serverOptions;
    private final ProcessRecorder recorder;
    private final PrivateCa ca;
    private @Nullable Path socketDirectory;

    /**
     * @param binaries PostgreSQL's {@code bin} directory ({@link #binaries()})
     * @param serverOptions extra {@code postgres} options, such as {@code -c fsync=off}
     * @param ca whose {@link PrivateCa#postgres() server certificate} the server presents, and whose CA clients trust
     */
    public ProcessPostgres(
            Path binaries,
            Layout layout,
            int port,
            String superuserPassword,
            List<String> serverOptions,
            ProcessRecorder recorder,
            PrivateCa ca) {
        this.binaries = binaries;
        this.layout = layout;
        this.port = port;
        this.superuserPassword = superuserPassword;
        this.serverOptions = List.copyOf(serverOptions);
        this.recorder = recorder;
        this.ca = ca;
    }

    /** The tests' cluster: in the run directory, fsync off (speed) with synchronous commit on, a generated password. */
    static ProcessPostgres forTests(Path binaries, RunDirectory run, int port, PrivateCa ca) {
        Path home = run.path().resolve("postgres");
        return new ProcessPostgres(
                binaries,
                new Layout(home.resolve("data"), home.resolve("postgres.log"), home.resolve("sockets")),
                port,
                Secrets.generate(),
                List.of("-c", "fsync=off", "-c", "max_connections=200"),
                run,
                ca);
    }

    /** The binaries directory of the newest PostgreSQL Debian's packages installed, for example 15. */
    public static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(version -> version.getFileName().toString().matches("\\d+"))
                    .filter(version -> Files.isExecutable(version.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(
                            version -> Integer.parseInt(version.getFileName().toString())))
                    .map(version -> version.resolve("bin"));
        } catch (IOException ex) {
            return Optional.empty();
        }
    }

    /** The tests' start: a new cluster, started, with database {@code orderly} bootstrapped with the test passwords. */
    void initialise(byte[] bootstrapSql) {
        initdb();
        start();
        ensureDatabase();
        bootstrap(bootstrapSql, testPasswords());
    }

    /** Whether the data directory holds a cluster already. */
    public boolean initialised() {
        return Files.exists(this.layout.data().resolve("PG_VERSION"));
    }

    /** Creates the cluster ({@code initdb}), with the superuser's password; the data directory must not hold one. */
    public void initdb() {
        Path data = this.layout.data();
        try {
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            giveToServiceUser(data);
            Path passwordFile = data.resolveSibling(data.getFileName() + ".pwfile");
            Files.writeString(passwordFile, this.superuserPassword + "\n");
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            giveToServiceUser(passwordFile);
            try {
                Command.runChecked(
                        "initdb of PostgreSQL in " + data,
                        asServiceUser(
                                "initdb",
                                "-D",
                                data.toString(),
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
            } finally {
                Files.deleteIfExists(passwordFile);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not prepare PostgreSQL's data directory " + data, ex);
        }
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
    public Path certificateAuthority() {
        return this.ca.authority();
    }

    /** The postmaster, if one runs on this data directory. */
    public Optional<ProcessHandle> postmaster() {
        Path pidFile = this.layout.data().resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException ex) {
            return Optional.empty();
        }
    }

    /** Whether a postmaster runs on this data directory. */
    public boolean running() {
        return postmaster().isPresent();
    }

    @Override
    public synchronized void start() {
        if (running()) {
            return;
        }
        try {
            this.socketDirectory = socketDirectory();
            Files.createDirectories(this.layout.log().getParent());
            if (!Files.exists(this.layout.log())) {
                Files.createFile(this.layout.log());
            }
            giveToServiceUser(this.layout.log());
            installTls();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not prepare PostgreSQL's log, socket directory and TLS files", ex);
        }
        this.recorder.recordPidFile("postgres", this.layout.data().resolve("postmaster.pid"));
        List<String> options = new ArrayList<>(List.of(
                "-p",
                Integer.toString(this.port),
                "-c",
                "listen_addresses=" + HOST,
                "-k",
                "'" + this.socketDirectory + "'",
                "-c",
                "ssl=on",
                "-c",
                "ssl_cert_file=" + SERVER_CERTIFICATE,
                "-c",
                "ssl_key_file=" + SERVER_KEY,
                "-c",
                "ssl_ca_file=" + AUTHORITY,
                "-c",
                "ssl_min_protocol_version=TLSv1.2"));
        options.addAll(this.serverOptions);
        try {
            Command.runChecked(
                    "Starting PostgreSQL on " + HOST + ":" + this.port,
                    asServiceUser(
                            "pg_ctl",
                            "start",
                            "-w",
                            "-t",
                            "60",
                            "-D",
                            this.layout.data().toString(),
                            "-l",
                            this.layout.log().toString(),
                            "-o",
                            String.join(" ", options)),
                    environment(),
                    Duration.ofSeconds(90));
        } catch (IllegalStateException ex) {
            throw new IllegalStateException(ex.getMessage() + "\n  server log " + this.layout.log() + ":\n"
                    + Command.tail(this.layout.log(), 30));
        }
        ProcessHandle started = postmaster()
                .orElseThrow(() -> new IllegalStateException("pg_ctl reported PostgreSQL started, but no postmaster "
                        + "runs on " + this.layout.data() + "; see " + this.layout.log()));
        this.recorder.record("postgres", started);
    }

    /**
     * Puts the CA's server certificate, its key (mode 600, PostgreSQL refuses a key others can read) and the CA into
     * the data directory, owned by the service user, and writes pg_hba.conf; at every start, so a cluster made before
     * TLS is switched over too.
     */
    private void installTls() throws IOException {
        Path data = this.layout.data();
        PrivateCa.Pair server = this.ca.postgres();
        install(server.certificate(), data.resolve(SERVER_CERTIFICATE), "rw-r--r--");
        install(server.privateKey(), data.resolve(SERVER_KEY), "rw-------");
        install(this.ca.authority(), data.resolve(AUTHORITY), "rw-r--r--");
        Path hba = data.resolve("pg_hba.conf");
        Files.writeString(hba, PG_HBA);
        Files.setPosixFilePermissions(hba, PosixFilePermissions.fromString("rw-------"));
        giveToServiceUser(hba);
    }

    private static void install(Path source, Path target, String permissions) throws IOException {
        Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
        giveToServiceUser(target);
    }

    /** Stops the server ({@code pg_ctl stop -m fast}), killing it if it does not stop in time. */
    @Override
    public synchronized void stop() {
        Optional<ProcessHandle> current = postmaster();
        if (current.isEmpty()) {
            return;
        }
        try {
            Command.Result result = Command.run(
                    asServiceUser(
                            "pg_ctl",
                            "stop",
                            "-w",
                            "-t",
                            "30",
                            "-m",
                            "fast",
                            "-D",
                            this.layout.data().toString()),
                    environment(),
                    Duration.ofSeconds(45));
            if (result.exitCode() != 0) {
                LOG.log(Level.WARNING, "pg_ctl stop failed with {0}", result.describe());
            }
        } catch (IllegalStateException ex) {
            LOG.log(Level.WARNING, "pg_ctl stop did not finish", ex);
        }
        ProcessHandle postmaster = current.get();
        if (!RunDirectory.awaitExit(postmaster, Duration.ofSeconds(10))) {
            LOG.log(Level.WARNING, "PostgreSQL " + postmaster.pid() + " did not stop in time; killing it");
            postmaster.destroyForcibly();
            RunDirectory.awaitExit(postmaster, Duration.ofSeconds(10));
        }
    }

    /** Stops the server and removes a socket directory it had to put outside its layout. */
    void shutdown() {
        stop();
        Path sockets = this.socketDirectory;
        if (sockets != null && !sockets.equals(this.layout.socketDirectory())) {
            try {
                Files.deleteIfExists(sockets);
            } catch (IOException ex) {
                LOG.log(Level.WARNING, "Could not delete " + sockets, ex);
            }
        }
    }

    /** Creates database {@code orderly} unless it exists. */
    public void ensureDatabase() {
        try (Connection connection =
                        DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, this.superuserPassword);
                Statement statement = connection.createStatement()) {
            try (ResultSet exists =
                    statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database() + "'")) {
                if (exists.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + database());
        } catch (SQLException ex) {
            throw new IllegalStateException("Could not create database " + database() + " in PostgreSQL", ex);
        }
    }

    /**
     * Runs bootstrap.sql in database {@code orderly} with psql, each service's role getting the password given for it
     * (the script is idempotent: running it again only resets the passwords and grants).
     */
    public void bootstrap(byte[] bootstrapSql, Map<Service, String> passwords) {
        Path script;
        try {
            script = Files.createTempFile("orderly-bootstrap", ".sql");
            Files.write(script, bootstrapSql);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not write bootstrap.sql for psql", ex);
        }
        try {
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
            for (Service service : Service.all()) {
                if (service.databaseRole().isEmpty()) {
                    continue; // the auth-server: no database
                }
                String password = passwords.get(service);
                if (password == null) {
                    throw new IllegalArgumentException(
                            "No password for " + service.databaseRole().get());
                }
                command.add("-v");
                command.add(service.passwordVariable().orElseThrow() + "=" + password);
            }
            command.add("-f");
            command.add(script.toString());
            Map<String, String> environment = environment();
            environment.put("PGPASSWORD", this.superuserPassword);
            environment.put("PGSSLMODE", "verify-full");
            environment.put("PGSSLROOTCERT", this.ca.authority().toString());
            Command.runChecked("Running bootstrap.sql in PostgreSQL", command, environment, Duration.ofSeconds(60));
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException ex) {
                LOG.log(Level.DEBUG, "Could not delete " + script, ex);
            }
        }
    }

    private static Map<Service, String> testPasswords() {
        Map<Service, String> passwords = new java.util.EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            service.testPassword().ifPresent(password -> passwords.put(service, password));
        }
        return passwords;
    }

    private String jdbcUrl(String databaseName) {
        return "jdbc:postgresql://" + HOST + ":" + this.port + "/" + databaseName + "?" + tlsParameters();
    }

    private Path socketDirectory() throws IOException {
        Path wanted = this.layout.socketDirectory();
        Path directory = (wanted.toString().length() <= MAX_SOCKET_DIRECTORY_LENGTH)
                ? Files.createDirectories(wanted)
                : Files.createTempDirectory(Path.of("/tmp"), "orderly-pg");
        giveToServiceUser(directory);
        return directory;
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
