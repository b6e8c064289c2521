package dev.orderly.tools;

import dev.orderly.testsupport.AuthClient;
import dev.orderly.testsupport.AuthUser;
import dev.orderly.testsupport.FreePorts;
import dev.orderly.testsupport.HmacKeys;
import dev.orderly.testsupport.PrivateCa;
import dev.orderly.testsupport.ProcessRecorder;
import dev.orderly.testsupport.Secrets;
import dev.orderly.testsupport.Service;
import dev.orderly.testsupport.SigningKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The pipeline's state on this machine ({@code .orderly/} in the checkout, or {@code ORDERLY_STATE_DIR}): the settings
 * file {@code env} with every port and generated password, client secret and message-signing key, the auth-server's
 * signing key ({@code auth-server/signing-key.pem}), the private CA and its certificates ({@code tls/}:
 * {@link PrivateCa}), the PIDs of what {@code up} started ({@code run/}), the logs ({@code logs/}), and the servers'
 * data.
 *
 * <p>Invariants: {@code env} and the signing key are private to their owner (mode 600); {@code env} only ever gains
 * keys (and {@value #RABBITMQ_NODES} only ever grows) and the key, once written, is never replaced (tokens issued with it stay valid), so a port, password or key, once
 * chosen, stays (a file written before each setting had one name has its keys renamed, their values kept:
 * {@link RetiredNames}); a PID is taken for one of ours only while its process still runs the command recorded for it
 * ({@code run/NAME.cmd} holds a piece of that command line), so a PID the system has since given to another process is
 * never signalled.
 */
final class StateDirectory implements ProcessRecorder {

    /** The ports {@code up} chooses, each with the variable that sets it and the port it prefers. */
    static final Map<String, Integer> PORTS = ports();

    /** The broker users that are no service's, with the key of each one's password. */
    static final Map<String, String> OPERATOR_BROKER_USERS = Map.of(
            "orderly-admin",
            "ORDERLY_RABBITMQ_ADMIN_PASSWORD",
            "orderly-monitoring",
            "ORDERLY_RABBITMQ_MONITORING_PASSWORD");

    static final String SUPERUSER_PASSWORD = "ORDERLY_POSTGRES_PASSWORD";

    /**
     * How many RabbitMQ nodes {@code up} runs as one cluster: 1 (the default) or 3 or 5 (an odd number, so that
     * {@code pause_minority} leaves a majority running when one node is cut off). Recorded in {@code env} once chosen; a
     * single node grows into a cluster by asking for more on a later {@code up}, a cluster never shrinks by itself.
     */
    static final String RABBITMQ_NODES = "ORDERLY_RABBITMQ_NODES";

    private static final Set<Integer> ALLOWED_RABBITMQ_NODES = Set.of(1, 3, 5);

    /**
     * Whether {@code up} runs a streaming standby of PostgreSQL beside its primary ({@code 1}), synchronously
     * replicated: recorded in {@code env} once asked for; {@code up} never drops it.
     */
    static final String POSTGRES_STANDBY = "ORDERLY_POSTGRES_STANDBY";

    /** Which PostgreSQL node is the primary, 1 or 2 (with a standby); {@code ./orderly failover} changes it. */
    static final String POSTGRES_PRIMARY = "ORDERLY_POSTGRES_PRIMARY";

    /** The password the standby streams WAL with ({@code orderly_replicator}). */
    static final String REPLICATOR_PASSWORD = "ORDERLY_POSTGRES_REPLICATOR_PASSWORD";

    /** PostgreSQL node 2's port (the standby's, until a failover makes it the primary). */
    static final String POSTGRES_2_PORT = "ORDERLY_POSTGRES_2_PORT";

    /**
     * What every setting of the message-signing keys starts with ({@code orderly.messaging.signing.*} as environment
     * variables): each is given to every service that signs or checks messages.
     */
    static final String MESSAGE_SIGNING_PREFIX = "ORDERLY_MESSAGING_SIGNING_";

    /** The message-signing key {@code up} generates on its first run, with id {@code k1}. */
    static final String FIRST_MESSAGE_KEY = MESSAGE_SIGNING_PREFIX + "KEYS_K1";

    private final Path root;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> markers = new LinkedHashMap<>();
    private final List<String> renamed;

    StateDirectory(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.renamed = RetiredNames.renameIn(envFile());
        load();
    }

    /** The keys of an older {@code env} renamed to their current names when it was read ({@code OLD -> NEW}). */
    List<String> renamed() {
        return renamed;
    }

    private static Map<String, Integer> ports() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ORDERLY_POSTGRES_PORT", 5432);
        ports.put("ORDERLY_RABBITMQ_PORT", 5672);
        ports.put("ORDERLY_RABBITMQ_MANAGEMENT_PORT", 15672);
        ports.put("ORDERLY_RABBITMQ_PROMETHEUS_PORT", 15692);
        ports.put("ORDERLY_RABBITMQ_DIST_PORT", 25672);
        ports.put("ORDERLY_RABBITMQ_EPMD_PORT", 4369);
        for (Service service : Service.values()) {
            ports.put(service.portVariable(), service.defaultPort());
            service.managementPortVariable()
                    .ifPresent(variable ->
                            ports.put(variable, service.defaultManagementPort().orElseThrow()));
        }
        return Map.copyOf(ports);
    }

    /**
     * The ports of RabbitMQ node {@code node} (2 and up) of a cluster, each with the variable that sets it and the port
     * it prefers (node 1's, plus {@code node - 1}); node 1 keeps the names of a single node ({@link #PORTS}).
     */
    static Map<String, Integer> rabbitNodePorts(int node) {
        if (node < 2) {
            throw new IllegalArgumentException("node 1 has the ports of PORTS; asked for node " + node);
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put(rabbitNodePort(node, "PORT"), 5672 + node - 1);
        ports.put(rabbitNodePort(node, "MANAGEMENT_PORT"), 15672 + node - 1);
        ports.put(rabbitNodePort(node, "PROMETHEUS_PORT"), 15692 + node - 1);
        ports.put(rabbitNodePort(node, "DIST_PORT"), 25672 + node - 1);
        return ports;
    }

    /**
     * The variable of one port of RabbitMQ node {@code node}: {@code ORDERLY_RABBITMQ_<KIND>} for node 1 (as a single
     * node has them), {@code ORDERLY_RABBITMQ_<N>_<KIND>} for node N of a cluster ({@code kind} is PORT,
     * MANAGEMENT_PORT, PROMETHEUS_PORT or DIST_PORT).
     */
    static String rabbitNodePort(int node, String kind) {
        return (node == 1 ? "ORDERLY_RABBITMQ_<KIND>" : "ORDERLY_RABBITMQ_<N>_<KIND>")
                .replace("<N>", Integer.toString(node))
                .replace("<KIND>", kind);
    }

    /** How many RabbitMQ nodes the pipeline runs ({@value #RABBITMQ_NODES}; 1 until a cluster was asked for). */
    int rabbitNodes() {
        return find(RABBITMQ_NODES).map(Integer::parseInt).orElse(1);
    }

    /**
     * The AMQP addresses of every node ({@code 127.0.0.1:PORT,...}), node 1 first: what a service connects to, one at a
     * time, moving to another when its node goes.
     */
    String amqpAddresses() {
        return everyNode(rabbitNodes(), node -> "127.0.0.1:" + port(rabbitNodePort(node, "PORT")));
    }

    /** How many PostgreSQL nodes the pipeline runs: 2 with a standby ({@value #POSTGRES_STANDBY}), else 1. */
    int postgresNodes() {
        return find(POSTGRES_STANDBY).filter("1"::equals).isPresent() ? 2 : 1;
    }

    /** PostgreSQL node {@code node}'s port: {@code ORDERLY_POSTGRES_PORT} for node 1, {@value #POSTGRES_2_PORT}. */
    int postgresPort(int node) {
        return port(node == 1 ? "ORDERLY_POSTGRES_PORT" : POSTGRES_2_PORT);
    }

    /** The node recorded as PostgreSQL's primary ({@value #POSTGRES_PRIMARY}; 1 until a failover). */
    int postgresPrimary() {
        return find(POSTGRES_PRIMARY).map(Integer::parseInt).orElse(1);
    }

    void postgresPrimary(int node) {
        set(POSTGRES_PRIMARY, Integer.toString(node));
    }

    /**
     * Every PostgreSQL node's {@code host:port}, node 1 first, for a JDBC URL that names them all and takes the one
     * that is the primary ({@code targetServerType=primary}).
     */
    String postgresHosts() {
        return everyNode(postgresNodes(), node -> "127.0.0.1:" + postgresPort(node));
    }

    /** The management API of every node ({@code http://127.0.0.1:PORT,...}), node 1 first. */
    String managementUrls() {
        return everyNode(rabbitNodes(), node -> "http://127.0.0.1:" + port(rabbitNodePort(node, "MANAGEMENT_PORT")));
    }

    /** {@code each} of nodes 1 to {@code nodes}, in that order, separated by commas. */
    private static String everyNode(int nodes, IntFunction<String> each) {
        return IntStream.rangeClosed(1, nodes).mapToObj(each).collect(Collectors.joining(","));
    }

    Path root() {
        return root;
    }

    Path run() {
        return root.resolve("run");
    }

    Path logs() {
        return root.resolve("logs");
    }

    Path envFile() {
        return root.resolve("env");
    }

    /** The auth-server's token-signing key, PKCS#8 PEM. */
    Path signingKey() {
        return root.resolve("auth-server").resolve("signing-key.pem");
    }

    /**
     * The private CA of this machine's servers and services ({@code tls/}): PostgreSQL's and RabbitMQ's server
     * certificates, the services' client certificate; made by {@link #ensureSettings}, then kept.
     */
    PrivateCa ca() {
        return PrivateCa.at(root.resolve("tls"));
    }

    /** Whether {@code up} has written the settings file here. */
    boolean exists() {
        return Files.exists(envFile());
    }

    /**
     * Adds what is missing to the settings file (all of it on the first run): each port of {@link #PORTS}, the one
     * the environment asks for or the default, or any free one when that is taken ({@code ORDERLY_PORTS=free} takes a
     * free one in every case); a generated password for the database superuser, every service's role and every
     * broker user; a generated secret for every client of the auth-server and a password for every user; and its signing
     * key; and, unless the file
     * has a message-signing key already (one rotated in by hand, docs/runbooks.md), a generated one ({@value
     * #FIRST_MESSAGE_KEY}); and the private CA with its certificates ({@link #ca()}).
     */
    void ensureSettings(Map<String, String> environment) {
        try {
            Files.createDirectories(root);
            if (!Files.exists(envFile())) {
                Files.writeString(
                        envFile(),
                        "# Generated by ./orderly up on " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                                + ". Delete it (after ./orderly down) to start afresh.\n");
                Files.setPosixFilePermissions(envFile(), PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + envFile(), e);
        }
        boolean anyFree = "free".equalsIgnoreCase(environment.getOrDefault("ORDERLY_PORTS", ""));
        Map<String, Integer> wanted = new LinkedHashMap<>(PORTS);
        int nodes = ensureRabbitNodes(environment.get(RABBITMQ_NODES));
        for (int node = 2; node <= nodes; node++) {
            wanted.putAll(rabbitNodePorts(node));
        }
        if (ensurePostgresStandby(environment.get(POSTGRES_STANDBY))) {
            wanted.put(POSTGRES_2_PORT, 5433);
            add(REPLICATOR_PASSWORD, null);
        }
        Set<Integer> taken = new HashSet<>();
        wanted.keySet().stream().filter(settings::containsKey).forEach(key -> taken.add(port(key)));
        List<String> keys = new ArrayList<>(wanted.keySet());
        keys.sort(String::compareTo);
        for (String key : keys) {
            if (settings.containsKey(key)) {
                continue;
            }
            String asked = environment.get(key);
            int port;
            if (asked != null && !asked.isBlank()) {
                port = FreePorts.preferred(Integer.parseInt(asked.strip()), taken);
            } else if (anyFree) {
                port = FreePorts.preferred(0, taken);
            } else {
                port = FreePorts.preferred(wanted.get(key), taken);
            }
            taken.add(port);
            add(key, Integer.toString(port));
        }
        add(SUPERUSER_PASSWORD, null);
        for (Service service : Service.values()) {
            service.databasePasswordKey().ifPresent(key -> add(key, null));
            service.brokerPasswordKey().ifPresent(key -> add(key, null));
        }
        OPERATOR_BROKER_USERS.values().forEach(key -> add(key, null));
        for (AuthClient client : AuthClient.values()) {
            add(client.secretKey(), null);
        }
        for (AuthUser user : AuthUser.values()) {
            add(user.passwordKey(), null);
        }
        ensureSigningKey();
        if (messageSigning().keySet().stream().noneMatch(key -> key.startsWith(MESSAGE_SIGNING_PREFIX + "KEYS_"))) {
            add(FIRST_MESSAGE_KEY, HmacKeys.generate());
        }
        PrivateCa.ensure(ca().directory(), List.of());
    }

    /**
     * Records how many RabbitMQ nodes to run: the number asked for ({@code asked}, the environment's
     * {@value #RABBITMQ_NODES}) if it is at least what was recorded, else what was recorded (1 when nothing was).
     *
     * @throws OrderlyException if the number is not 1, 3 or 5, or is fewer than the cluster already has
     */
    private int ensureRabbitNodes(String asked) {
        int recorded = rabbitNodes();
        if (asked == null || asked.isBlank()) {
            return recorded;
        }
        int nodes;
        try {
            nodes = Integer.parseInt(asked.strip());
        } catch (NumberFormatException e) {
            nodes = -1;
        }
        if (!ALLOWED_RABBITMQ_NODES.contains(nodes)) {
            throw new OrderlyException(RABBITMQ_NODES + " must be 1, 3 or 5 (an odd number, so that a majority of the"
                    + " cluster survives losing one node), not '" + asked.strip() + "'");
        }
        if (nodes < recorded) {
            throw new OrderlyException(RABBITMQ_NODES + "=" + nodes + ", but the pipeline in " + root + " runs "
                    + recorded + " RabbitMQ nodes: up never removes a node (its queue members and messages would go "
                    + "with it). Remove one by hand (rabbitmq-queues shrink, rabbitmqctl forget_cluster_node), or "
                    + "./orderly down and delete " + root + " to start afresh");
        }
        if (nodes > recorded) {
            set(RABBITMQ_NODES, Integer.toString(nodes));
        }
        return nodes;
    }

    /**
     * Records whether to run a PostgreSQL standby: asked for ({@code asked}, the environment's {@value
     * #POSTGRES_STANDBY}, is 1) or recorded before.
     *
     * @throws OrderlyException if {@code asked} is neither 0 nor 1, or is 0 while a standby runs
     */
    private boolean ensurePostgresStandby(String asked) {
        boolean recorded = postgresNodes() == 2;
        if (asked == null || asked.isBlank()) {
            return recorded;
        }
        String wanted = asked.strip();
        if (!wanted.equals("0") && !wanted.equals("1")) {
            throw new OrderlyException(
                    POSTGRES_STANDBY + " is 1 (a synchronous standby beside the primary) or 0, not '" + wanted + "'");
        }
        if (wanted.equals("0") && recorded) {
            throw new OrderlyException(POSTGRES_STANDBY + "=0, but the pipeline in " + root + " runs a PostgreSQL "
                    + "standby: up never removes it (every commit waits for it). ./orderly down and delete " + root
                    + " to start afresh");
        }
        if (wanted.equals("1") && !recorded) {
            set(POSTGRES_STANDBY, "1");
        }
        return wanted.equals("1") || recorded;
    }

    /** Every message-signing setting of the file ({@value #MESSAGE_SIGNING_PREFIX}...), in file order. */
    Map<String, String> messageSigning() {
        Map<String, String> signing = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (key.startsWith(MESSAGE_SIGNING_PREFIX)) {
                signing.put(key, value);
            }
        });
        return signing;
    }

    /** Writes a new signing key unless there is one: private from its first byte, and whole or not at all. */
    private void ensureSigningKey() {
        Path key = signingKey();
        if (Files.exists(key)) {
            return;
        }
        try {
            Files.createDirectories(key.getParent());
            Path temporary = Files.createTempFile(
                    key.getParent(),
                    ".signing-key",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, SigningKeys.generatePem(), StandardCharsets.US_ASCII);
            Files.move(temporary, key, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the auth-server's signing key " + key, e);
        }
    }

    /** Appends {@code key} with {@code value} (a generated secret if null) unless the file has it already. */
    private void add(String key, String value) {
        if (settings.containsKey(key)) {
            return;
        }
        String chosen = value != null ? value : Secrets.generate();
        try {
            Files.writeString(envFile(), key + "=" + chosen + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + envFile(), e);
        }
        settings.put(key, chosen);
    }

    /** Sets {@code key} to {@code value}: the one setting that can change ({@value #RABBITMQ_NODES} grows). */
    private void set(String key, String value) {
        if (!settings.containsKey(key)) {
            add(key, value);
            return;
        }
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(envFile(), StandardCharsets.UTF_8)) {
                lines.add(line.startsWith(key + "=") ? key + "=" + value : line);
            }
            Files.writeString(envFile(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + envFile(), e);
        }
        settings.put(key, value);
    }

    /** A setting of the file. */
    String get(String key) {
        String value = settings.get(key);
        if (value == null) {
            throw new IllegalStateException("No " + key + " in " + envFile() + ": run ./orderly up first");
        }
        return value;
    }

    Optional<String> find(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    int port(String key) {
        return Integer.parseInt(get(key));
    }

    private void load() {
        if (!Files.exists(envFile())) {
            return;
        }
        try {
            for (String line : Files.readAllLines(envFile(), StandardCharsets.UTF_8)) {
                int equals = line.indexOf('=');
                if (!line.startsWith("#") && equals > 0) {
                    settings.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + envFile(), e);
        }
    }

    /**
     * Lets the {@code postgres} service user traverse (not list) the state directory, so that PostgreSQL, run as that
     * user when this runs as root, can reach its data and socket directories below it.
     */
    void openForServiceUsers() {
        try {
            Files.createDirectories(root);
            Set<PosixFilePermission> permissions = new HashSet<>(Files.getPosixFilePermissions(root));
            permissions.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(root, permissions);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open " + root + " to the servers' service users", e);
        }
    }

    // ---- what up started, by PID

    /** Sets the piece of command line by which a recorded process of {@code name} is recognised. */
    void expect(String name, String marker) {
        markers.put(name, marker);
    }

    @Override
    public void record(String name, ProcessHandle process) {
        String marker = markers.get(name);
        if (marker == null) {
            return; // a helper process of a server (the Erlang VM under its start script): the server is recorded
        }
        record(name, process.pid(), marker);
    }

    @Override
    public void recordPidFile(String name, Path pidFile) {
        // PostgreSQL's postmaster.pid is read back by the server itself; its postmaster is recorded once it runs.
    }

    void record(String name, long pid, String marker) {
        try {
            Files.createDirectories(run());
            Files.writeString(run().resolve(name + ".pid"), pid + "\n");
            Files.writeString(run().resolve(name + ".cmd"), marker);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not record " + name + "'s PID in " + run(), e);
        }
    }

    /** The recorded process of {@code name}, if it still runs what was recorded for it. */
    Optional<ProcessHandle> alive(String name) {
        Path pidFile = run().resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            Path markerFile = run().resolve(name + ".cmd");
            String marker = Files.exists(markerFile) ? Files.readString(markerFile) : "";
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .filter(process -> commandLine(pid).contains(marker));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether a PID file for {@code name} is there (its process may be gone). */
    boolean recorded(String name) {
        return Files.exists(run().resolve(name + ".pid"));
    }

    /** The recorded PID of {@code name}, whether or not it still runs. */
    Optional<Long> recordedPid(String name) {
        try {
            return Optional.of(Long.parseLong(
                    Files.readString(run().resolve(name + ".pid")).strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void forget(String name) {
        try {
            Files.deleteIfExists(run().resolve(name + ".pid"));
            Files.deleteIfExists(run().resolve(name + ".cmd"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not forget " + name + " in " + run(), e);
        }
    }

    /** A process's command line, its arguments separated by spaces; empty if it cannot be read. */
    static String commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }
}
