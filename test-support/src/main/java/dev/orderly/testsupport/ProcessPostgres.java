package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

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
import org.awaitility.core.ConditionTimeoutException;
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
            # A standby's WAL stream: only a role with REPLICATION (orderly_replicator) may use it.
            hostssl  replication  all  127.0.0.1/32  scram-sha-256
            """;

    /** Linux limits a Unix socket path to 107 bytes; PostgreSQL appends {@code /.s.PGSQL.<port>} to the directory. */
    private static final int MAX_SOCKET_DIRECTORY_LENGTH = 90;

    /** How long a start waits for a killed postmaster's parent to reap it ({@link #awaitLockFilesFreed}). */
    static final Duration REAP_TIMEOUT = Duration.ofSeconds(60);

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
    private final String recordAs;
    private @Nullable Path socketDirectory;

    /**
     * @param binaries PostgreSQL's {@code bin} directory ({@link #binaries()})
     * @param serverOptions extra {@code postgres} options, such as {@code -c fsync=off}
     * @param ca whose {@link PrivateCa#postgres() server certificate} the server presents, and whose CA clients trust
     * @param recordAs the name its postmaster is recorded by ({@code postgres}; {@code postgres-2} for a standby), and,
     *     as {@link #standbyName()}, the name it streams WAL by when it is a standby
     */
    public ProcessPostgres(
            Path binaries,
            Layout layout,
            int port,
            String superuserPassword,
            List<String> serverOptions,
            ProcessRecorder recorder,
            PrivateCa ca,
            String recordAs) {
        this.binaries = binaries;
        this.layout = layout;
        this.port = port;
        this.superuserPassword = superuserPassword;
        this.serverOptions = List.copyOf(serverOptions);
        this.recorder = recorder;
        this.ca = ca;
        this.recordAs = recordAs;
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
                ca,
                "postgres");
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

    /**
     * The postmaster, if one runs on this data directory. A postmaster killed but not yet reaped by its parent (a
     * zombie) does not: it serves nothing, and {@code ./orderly failover} must not take it for a primary that still
     * runs (a failure drill's CI run once refused to promote the standby for it).
     */
    public Optional<ProcessHandle> postmaster() {
        return lockFilePid(this.layout.data().resolve("postmaster.pid"))
                .flatMap(ProcessHandle::of)
                .filter(ProcessPostgres::runs);
    }

    /** The PID on the first line of one of PostgreSQL's lock files, if it can be read. */
    private static Optional<Long> lockFilePid(Path lockFile) {
        try {
            return Optional.of(
                    Long.parseLong(Files.readAllLines(lockFile).get(0).strip()));
        } catch (IOException | RuntimeException ex) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code process} runs: {@link ProcessHandle#isAlive()} is true for a zombie too, a process that has ended
     * and waits for its parent to reap it. Where there is no procfs to tell one by, {@code isAlive()} is all there is.
     */
    static boolean runs(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return true;
        }
        try {
            // "pid (comm) state ...": comm may hold spaces and parentheses, so the state follows the last ')'.
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }

    /**
     * Waits until no zombie holds this server's lock files ({@code postmaster.pid} in the data directory, the Unix
     * socket's {@code .s.PGSQL.port.lock}). PostgreSQL takes a lock file whose PID it can signal for a server that
     * still runs and refuses to start, and a zombie can be signalled: after {@code kill -9}, a start must wait for the
     * killed postmaster's parent (the init of a machine or container, which may take seconds) to reap it. Deleting the
     * lock file instead would also drop PostgreSQL's check that no child of the killed postmaster is still attached to
     * its shared memory.
     *
     * @throws IllegalStateException if a zombie still holds one when {@link #REAP_TIMEOUT} has passed
     */
    private void awaitLockFilesFreed() {
        List<Path> lockFiles = List.of(
                this.layout.data().resolve("postmaster.pid"),
                this.layout.socketDirectory().resolve(".s.PGSQL." + this.port + ".lock"));
        for (Path lockFile : lockFiles) {
            Optional<ProcessHandle> zombie =
                    lockFilePid(lockFile).flatMap(ProcessHandle::of).filter(process -> !runs(process));
            if (zombie.isEmpty()) {
                continue;
            }
            long pid = zombie.get().pid();
            LOG.log(
                    Level.INFO,
                    "PostgreSQL''s lock file {0} names pid {1}, ended but not yet reaped; waiting",
                    lockFile,
                    pid);
            try {
                await("the ended postmaster " + pid + " of " + lockFile + " reaped by its parent")
                        .atMost(REAP_TIMEOUT)
                        .pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(50))
                        .pollInSameThread()
                        .until(() ->
                                ProcessHandle.of(pid).map(ProcessPostgres::runs).orElse(true));
            } catch (ConditionTimeoutException ex) {
                String parent =
                        zombie.get().parent().map(p -> Long.toString(p.pid())).orElse("?");
                throw new IllegalStateException("PostgreSQL cannot start on " + this.layout.data() + ": its lock file "
                        + lockFile + " names pid " + pid + ", a postmaster that has ended but was not reaped by its "
                        + "parent (pid " + parent + ") within " + REAP_TIMEOUT.toSeconds() + " s, and PostgreSQL "
                        + "takes it for a server that still runs. A machine's or container's init must reap orphaned "
                        + "processes (docker run --init)");
            }
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
        awaitLockFilesFreed();
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
        this.recorder.recordPidFile(this.recordAs, this.layout.data().resolve("postmaster.pid"));
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
        this.recorder.record(this.recordAs, started);
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

    // ---- streaming replication

    /** The role a standby streams the primary's WAL as: it may log in and replicate, nothing else. */
    public static final String REPLICATOR = "orderly_replicator";

    /**
     * The name this server streams WAL by when it is a standby: its {@code application_name}, which
     * {@code synchronous_standby_names} names, and its replication slot on the primary ({@code orderly_postgres_2}).
     */
    public String standbyName() {
        return "orderly_" + this.recordAs.replace('-', '_');
    }

    /** Creates {@link #REPLICATOR} on this running primary, or sets its password. */
    public void ensureReplicator(String password) {
        requireSafe("the replicator's password", password);
        superuserSql(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + REPLICATOR + "') THEN "
                        + "CREATE ROLE " + REPLICATOR + " LOGIN REPLICATION; END IF; END $$",
                "ALTER ROLE " + REPLICATOR + " WITH LOGIN REPLICATION PASSWORD '" + password + "'");
    }

    /**
     * Makes this stopped server a streaming standby of the running {@code primary}: its data directory is replaced by
     * a base backup of the primary ({@code pg_basebackup -X stream}) taken through a new physical replication slot of
     * {@link #standbyName()} (so the primary keeps every WAL segment this standby has not received), with
     * {@code standby.signal} and a {@code primary_conninfo} over TLS (the primary's certificate and host name verified)
     * as {@link #REPLICATOR}. Whatever the directory held is lost: this is also how a failed primary rejoins as the new
     * primary's standby.
     */
    public void followAsStandby(ProcessPostgres primary, String replicatorPassword) {
        requireSafe("the replicator's password", replicatorPassword);
        if (running()) {
            throw new IllegalStateException("PostgreSQL runs on " + this.layout.data() + ": stop it before it is "
                    + "replaced by a base backup of " + primary.host() + ":" + primary.port());
        }
        String slot = standbyName();
        primary.superuserSql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                + "WHERE slot_name = '" + slot + "' AND NOT active");
        Path data = this.layout.data();
        try {
            FileTrees.delete(data);
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            giveToServiceUser(data);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not empty " + data + " for a base backup", ex);
        }
        Map<String, String> environment = environment();
        environment.put("PGPASSWORD", replicatorPassword);
        Command.runChecked(
                "pg_basebackup of " + primary.host() + ":" + primary.port() + " into " + data,
                asServiceUser(
                        "pg_basebackup",
                        "-D",
                        data.toString(),
                        "-X",
                        "stream",
                        "-C",
                        "-S",
                        slot,
                        "--no-sync",
                        // An immediate checkpoint: a spread one (the default) makes the backup wait minutes.
                        "--checkpoint=fast",
                        "-d",
                        primary.replicationConninfo(slot, primary.layout.data().resolve(AUTHORITY))),
                environment,
                Duration.ofMinutes(5));
        try {
            Path signal = Files.writeString(data.resolve("standby.signal"), "");
            giveToServiceUser(signal);
            Path autoConf = data.resolve("postgresql.auto.conf");
            List<String> kept = Files.exists(autoConf)
                    ? Files.readAllLines(autoConf).stream()
                            .filter(line -> !line.startsWith("primary_conninfo")
                                    && !line.startsWith("primary_slot_name")
                                    && !line.startsWith("synchronous_standby_names"))
                            .toList()
                    : List.of();
            List<String> lines = new ArrayList<>(kept);
            lines.add("primary_conninfo = '"
                    + primary.replicationConninfo(slot, data.resolve(AUTHORITY)) + " password=" + replicatorPassword
                    + "'");
            lines.add("primary_slot_name = '" + slot + "'");
            Files.write(autoConf, lines);
            Files.setPosixFilePermissions(autoConf, PosixFilePermissions.fromString("rw-------"));
            giveToServiceUser(autoConf);
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not configure the standby in " + data, ex);
        }
    }

    /** Whether the data directory is a standby's ({@code standby.signal}): it starts following its primary. */
    public boolean configuredAsStandby() {
        return Files.exists(this.layout.data().resolve("standby.signal"));
    }

    /**
     * The timeline of the data directory's latest checkpoint ({@code pg_controldata}): each promotion starts a new one,
     * so of two servers that were primary and standby, the one on the later timeline has what the other lacks.
     */
    public int timeline() {
        String control = Command.runChecked(
                "pg_controldata " + this.layout.data(),
                asServiceUser("pg_controldata", "-D", this.layout.data().toString()),
                environment(),
                Duration.ofSeconds(30));
        java.util.regex.Matcher timeline = java.util.regex.Pattern.compile("Latest checkpoint's TimeLineID:\\s+(\\d+)")
                .matcher(control);
        if (!timeline.find()) {
            throw new IllegalStateException("pg_controldata printed no timeline for " + this.layout.data());
        }
        return Integer.parseInt(timeline.group(1));
    }

    /** How a standby named {@code applicationName} connects to this server for WAL, trusting {@code authority}. */
    private String replicationConninfo(String applicationName, Path authority) {
        return "host=" + HOST + " port=" + this.port + " user=" + REPLICATOR + " application_name=" + applicationName
                + " sslmode=verify-full sslrootcert=" + authority;
    }

    /**
     * Makes every commit on this running primary wait until {@code standby} has the commit's WAL on disk
     * ({@code synchronous_standby_names}, {@code ALTER SYSTEM}: it persists), so that a commit that returned (an order
     * answered 202) survives the loss of this server once the standby is promoted; or, with none, commits wait for no
     * standby (what a primary does right after a failover, while it has none).
     */
    public void requireSynchronousStandby(Optional<ProcessPostgres> standby) {
        standby.ifPresentOrElse(
                server -> superuserSql(
                        "ALTER SYSTEM SET synchronous_standby_names = '" + server.standbyName() + "'",
                        "SELECT pg_reload_conf()"),
                () -> superuserSql("ALTER SYSTEM RESET synchronous_standby_names", "SELECT pg_reload_conf()"));
    }

    /**
     * Promotes this running standby to a primary ({@code pg_ctl promote}, waiting until it accepts writes) that waits
     * for no standby: it replays every WAL record it received (so every commit its old primary confirmed is there)
     * and leaves recovery on a new timeline, which a checkpoint then writes into its control file ({@link #timeline()}).
     */
    public void promote() {
        Command.runChecked(
                "Promoting the PostgreSQL standby on " + HOST + ":" + this.port,
                asServiceUser(
                        "pg_ctl",
                        "promote",
                        "-w",
                        "-t",
                        "60",
                        "-D",
                        this.layout.data().toString()),
                environment(),
                Duration.ofSeconds(90));
        requireSynchronousStandby(Optional.empty());
        superuserSql("CHECKPOINT");
    }

    /** Whether this running server is a standby (in recovery) rather than a primary. */
    public boolean inRecovery() {
        try (Connection connection = maintenanceConnection();
                Statement statement = connection.createStatement();
                ResultSet recovery = statement.executeQuery("SELECT pg_is_in_recovery()")) {
            recovery.next();
            return recovery.getBoolean(1);
        } catch (SQLException ex) {
            throw new IllegalStateException(
                    "Could not ask PostgreSQL on port " + this.port + " whether it is a " + "standby", ex);
        }
    }

    /** A connection as the superuser to database {@code postgres}, which exists before {@code orderly} does. */
    private Connection maintenanceConnection() throws SQLException {
        return DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, this.superuserPassword);
    }

    /** Statements run in order as the superuser in database {@code postgres}. */
    private void superuserSql(String... statements) {
        try (Connection connection = maintenanceConnection();
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException ex) {
            throw new IllegalStateException("PostgreSQL on port " + this.port + " refused: " + ex.getMessage(), ex);
        }
    }

    /** Generated secrets are letters and digits: anything else would need quoting in SQL and in a conninfo. */
    private static void requireSafe(String what, String value) {
        if (!value.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(what + " must be letters, digits, '_' or '-'");
        }
    }

    /** Creates database {@code orderly} unless it exists. */
    public void ensureDatabase() {
        try (Connection connection = maintenanceConnection();
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
