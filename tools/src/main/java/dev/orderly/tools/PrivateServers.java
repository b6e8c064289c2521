package dev.orderly.tools;

import dev.orderly.testsupport.Command;
import dev.orderly.testsupport.OrderlyInfrastructure;
import dev.orderly.testsupport.ProcessPostgres;
import dev.orderly.testsupport.ProcessRabbit;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pipeline's PostgreSQL and RabbitMQ on this machine: test-support's private servers, laid out in the state
 * directory so that they persist between runs, started detached so that they outlive the command, and set up as the
 * deployment sets up its servers: deploy/postgres/bootstrap.sql with the generated passwords, the users of
 * deploy/rabbitmq/definitions.json (each generated password hashed into a private copy the node loads at every boot),
 * and the broker topology of helm/orderly/files/rabbitmq/topology.json, imported on every {@code up}.
 *
 * <p>Invariant: both listen on 127.0.0.1 only, and over TLS only with the certificates of the state directory's
 * private CA (RabbitMQ requiring a client certificate of it); neither is started twice (a running one is left as it is); the
 * topology is imported before any service starts.
 */
final class PrivateServers {

    static final String TOPOLOGY = "helm/orderly/files/rabbitmq/topology.json";
    static final String DEFINITIONS = "deploy/rabbitmq/definitions.json";
    static final String BOOTSTRAP = "deploy/postgres/bootstrap.sql";
    static final String NODE = "orderly@localhost";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path root;
    private final StateDirectory state;
    private final Map<String, String> environment;
    private final Console console;

    PrivateServers(Path root, StateDirectory state, Map<String, String> environment, Console console) {
        this.root = root;
        this.state = state;
        this.environment = environment;
        this.console = console;
    }

    // ---- PostgreSQL

    ProcessPostgres postgres() {
        Path binaries = ProcessPostgres.binaries()
                .orElseThrow(() -> new OrderlyException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/"
                        + "initdb): apt-get install postgresql, or run ./orderly as root to have it done"));
        state.expect("postgres", dataDirectory().toString());
        List<String> options = Arrays.stream(environment
                        .getOrDefault("ORDERLY_POSTGRES_OPTIONS", "")
                        .strip()
                        .split("\\s+"))
                .filter(option -> !option.isEmpty())
                .toList();
        return new ProcessPostgres(
                binaries,
                new ProcessPostgres.Layout(
                        dataDirectory(),
                        state.logs().resolve("postgres.log"),
                        state.root().resolve("sockets")),
                state.port("ORDERLY_POSTGRES_PORT"),
                state.get(StateDirectory.SUPERUSER_PASSWORD),
                options,
                state,
                state.ca());
    }

    private Path dataDirectory() {
        return state.root().resolve("postgres");
    }

    /** Initialises (the first time), starts (unless it runs) and bootstraps the database. */
    void startDatabase() {
        ProcessPostgres postgres = postgres();
        state.openForServiceUsers();
        if (!postgres.initialised()) {
            console.say("initialising PostgreSQL in " + dataDirectory());
            postgres.initdb();
        }
        if (postgres.running()) {
            console.say("postgres already running (pid "
                    + postgres.postmaster().orElseThrow().pid() + ")");
        } else {
            console.say("starting PostgreSQL on 127.0.0.1:" + postgres.port() + " (TLS only)");
            postgres.start();
        }
        postgres.ensureDatabase();
        Map<Service, String> passwords = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            service.databasePasswordKey().ifPresent(key -> passwords.put(service, state.get(key)));
        }
        try {
            postgres.bootstrap(Files.readAllBytes(root.resolve(BOOTSTRAP)), passwords);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + root.resolve(BOOTSTRAP), e);
        }
    }

    // ---- RabbitMQ

    /** Node 1 of the broker: the one a single-node pipeline runs, and the one a cluster's other nodes join. */
    ProcessRabbit broker() {
        return brokers().getFirst();
    }

    /**
     * Every node of the broker ({@link StateDirectory#rabbitNodes()}), node 1 first. They share one epmd, one Erlang
     * cookie (one {@code home}), one Mnesia base and one log directory (each node's files carry its name), and have
     * their own node name ({@code orderly@localhost}, {@code orderly-2@localhost}, ...), ports and configuration
     * directory ({@code rabbitmq/}, {@code rabbitmq/node-2/}, ...). A cluster's nodes pause when they are in a minority
     * ({@code cluster_partition_handling = pause_minority}): a node cut off from the others stops serving rather than
     * accept what the majority will never see.
     */
    List<ProcessRabbit> brokers() {
        Path epmd = OrderlyInfrastructure.epmd()
                .orElseThrow(() -> new OrderlyException("RabbitMQ is not installed (no epmd): apt-get install "
                        + "rabbitmq-server, or run ./orderly as root to have it done"));
        Path directory = state.root().resolve("rabbitmq");
        int count = state.rabbitNodes();
        state.expect("epmd", "-port " + state.port("ORDERLY_RABBITMQ_EPMD_PORT"));
        List<String> configuration = new ArrayList<>();
        // The vhost, users and permissions of the deployment, loaded at every boot: no default guest user is ever
        // created.
        configuration.add("load_definitions = " + directory.resolve("definitions.json"));
        if (count > 1) {
            configuration.add("cluster_partition_handling = pause_minority");
        }
        List<ProcessRabbit> nodes = new ArrayList<>();
        for (int node = 1; node <= count; node++) {
            String name = brokerProcess(node);
            String nodeName = nodeName(node);
            state.expect(name, "rabbitmq-server");
            ProcessRabbit broker = new ProcessRabbit(
                    epmd,
                    new ProcessRabbit.Layout(
                            directory.resolve("home"),
                            directory.resolve("mnesia"),
                            state.logs().resolve("rabbitmq"),
                            node == 1 ? directory : directory.resolve("node-" + node),
                            state.logs().resolve(name + ".out")),
                    new ProcessRabbit.Ports(
                            state.port("ORDERLY_RABBITMQ_EPMD_PORT"),
                            state.port(StateDirectory.rabbitNodePort(node, "PORT")),
                            state.port(StateDirectory.rabbitNodePort(node, "DIST_PORT")),
                            state.port(StateDirectory.rabbitNodePort(node, "MANAGEMENT_PORT")),
                            state.port(StateDirectory.rabbitNodePort(node, "PROMETHEUS_PORT"))),
                    nodeName,
                    state.get("ORDERLY_RABBITMQ_ADMIN_PASSWORD"),
                    configuration,
                    state,
                    true,
                    state.ca(),
                    name);
            state.expect(name + "-vm", broker.vmMarker());
            nodes.add(broker);
        }
        return List.copyOf(nodes);
    }

    /** The name {@code up} records node {@code node}'s start script by: {@code rabbitmq}, {@code rabbitmq-2}, ... */
    static String brokerProcess(int node) {
        return node == 1 ? "rabbitmq" : "rabbitmq-" + node;
    }

    /** Node {@code node}'s Erlang node name: {@value #NODE}, {@code orderly-2@localhost}, ... */
    static String nodeName(int node) {
        return node == 1 ? NODE : "orderly-" + node + "@localhost";
    }

    /**
     * Starts the nodes that do not run (all at once: a cluster's node that was stopped while others ran waits for them
     * at boot), joins each node that stands alone to node 1's cluster, then imports the topology (every time) and
     * grows every quorum queue onto the nodes that just joined.
     */
    void startBroker() {
        List<ProcessRabbit> nodes = brokers();
        List<ProcessRabbit> stopped = new ArrayList<>();
        for (int node = 1; node <= nodes.size(); node++) {
            Optional<ProcessHandle> running = state.alive(brokerProcess(node));
            if (running.isPresent()) {
                console.say(brokerProcess(node) + " already running (pid "
                        + running.get().pid() + ")");
            } else {
                stopped.add(nodes.get(node - 1));
            }
        }
        if (!stopped.isEmpty()) {
            writeDefinitions(state.root().resolve("rabbitmq").resolve("definitions.json"));
            stopped.forEach(ProcessRabbit::writeConfiguration);
            nodes.getFirst().startEpmd();
            for (ProcessRabbit node : stopped) {
                console.say("starting RabbitMQ " + node.nodeName() + " on 127.0.0.1:" + node.amqpPort()
                        + " (AMQP over TLS; management on " + node.managementPort() + ")");
            }
            startAll(stopped);
        }
        List<ProcessRabbit> joined = new ArrayList<>();
        if (nodes.size() > 1) {
            // One look at node 1's cluster (each rabbitmqctl is an Erlang VM's start: seconds, at every up): a node it
            // does not count, just started or left standing alone by an up that failed half way, joins it now.
            String seed = nodes.getFirst().nodeName();
            List<String> members = nodes.getFirst().clusterMembers();
            for (ProcessRabbit node : nodes.subList(1, nodes.size())) {
                if (!members.contains(node.nodeName())) {
                    console.say("joining " + node.nodeName() + " to the cluster of " + seed);
                    node.joinCluster(seed);
                    joined.add(node);
                }
            }
            if (!stopped.isEmpty() || !joined.isEmpty()) {
                console.say("RabbitMQ cluster of " + nodes.size() + " nodes: "
                        + String.join(
                                ", ",
                                nodes.stream().map(ProcessRabbit::nodeName).toList()));
            }
        }
        Path topology = root.resolve(TOPOLOGY);
        try {
            nodes.getFirst().importDefinitions(topology);
        } catch (ProcessRabbit.RefusedLoginException e) {
            throw new OrderlyException(
                    "RabbitMQ refuses orderly-admin's password from " + state.envFile()
                            + ": did the definitions in " + state.root().resolve("rabbitmq") + " load? See "
                            + state.logs().resolve("rabbitmq"),
                    e);
        } catch (IllegalStateException e) {
            throw new OrderlyException("Importing the broker topology (" + topology + ") failed: " + e.getMessage(), e);
        }
        console.say("broker topology imported (" + TOPOLOGY + ")");
        for (ProcessRabbit node : joined) {
            // Quorum queues declared before this node joined (a single node grown into a cluster) have no member on
            // it; every queue gets one, so that losing any one node loses no queue's majority.
            node.cli("rabbitmq-queues", "grow", node.nodeName(), "all", "--vhost-pattern", "^orderly$");
        }
    }

    /** Starts every node of {@code nodes} at once and waits for each; the first failure is thrown, the others added. */
    private static void startAll(List<ProcessRabbit> nodes) {
        if (nodes.size() == 1) {
            nodes.getFirst().start();
            return;
        }
        List<Thread> starters = new ArrayList<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (ProcessRabbit node : nodes) {
            starters.add(Thread.ofPlatform().name("start-" + node.nodeName()).start(() -> {
                try {
                    node.start();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread starter : starters) {
            try {
                starter.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OrderlyException("interrupted while starting RabbitMQ");
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            failures.stream().skip(1).forEach(first::addSuppressed);
            throw first;
        }
    }

    /**
     * deploy/rabbitmq/definitions.json with each user's generated password hashed in, so that the node boots with
     * every password right: no window after a (re)boot in which a service's login is refused. Private to its owner.
     */
    void writeDefinitions(Path target) {
        Map<String, String> passwords = new LinkedHashMap<>();
        StateDirectory.OPERATOR_BROKER_USERS.forEach((user, key) -> passwords.put(user, state.get(key)));
        for (Service service : Service.values()) {
            service.brokerUser()
                    .ifPresent(user -> passwords.put(
                            user, state.get(service.brokerPasswordKey().orElseThrow())));
        }
        try {
            JsonNode definitions = JSON.readTree(Files.readString(root.resolve(DEFINITIONS)));
            for (JsonNode user : definitions.path("users")) {
                String password = passwords.get(user.path("name").asString());
                if (password == null) {
                    throw new OrderlyException("User " + user.path("name").asString() + " of " + DEFINITIONS
                            + " has no password in ./orderly's table of users (tools, StateDirectory and Service)");
                }
                ((ObjectNode) user).put("password_hash", passwordHash(password));
            }
            Files.createDirectories(target.getParent());
            Files.writeString(target, JSON.writeValueAsString(definitions));
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + target, e);
        }
    }

    /**
     * RabbitMQ's {@code rabbit_password_hashing_sha256}: base64 of a random 4-byte salt followed by SHA-256 of the salt
     * and the password's UTF-8 bytes.
     */
    static String passwordHash(String password) {
        byte[] salt = new byte[4];
        new SecureRandom().nextBytes(salt);
        return passwordHash(salt, password);
    }

    static String passwordHash(byte[] salt, String password) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(salt);
            byte[] digest = sha256.digest(password.getBytes(StandardCharsets.UTF_8));
            byte[] salted = new byte[salt.length + digest.length];
            System.arraycopy(salt, 0, salted, 0, salt.length);
            System.arraycopy(digest, 0, salted, salt.length, digest.length);
            return Base64.getEncoder().encodeToString(salted);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /**
     * Stops every node (rabbitmqctl stop, then by PID), the last node first so that node 1, which stops last, is the one
     * whose data is newest; then epmd.
     */
    void stopBroker(Duration within) {
        List<ProcessRabbit> nodes = brokers();
        List<String> names = new ArrayList<>();
        for (int node = nodes.size(); node >= 1; node--) {
            String name = brokerProcess(node);
            names.add(name);
            names.add(name + "-vm");
            Optional<ProcessHandle> running = state.alive(name);
            if (running.isPresent()) {
                console.say("stopping " + name + " (pid " + running.get().pid() + ")");
                try {
                    nodes.get(node - 1).rabbitmqctl("stop");
                } catch (IllegalStateException e) {
                    console.say("rabbitmqctl stop failed (" + firstLine(e.getMessage()) + "): stopping it by PID");
                }
            }
        }
        Processes.stop(state, console, names, within);
        Processes.stop(state, console, List.of("epmd"), Duration.ofSeconds(5));
    }

    /** Stops PostgreSQL (pg_ctl stop -m fast, then by PID). */
    void stopDatabase(Duration within) {
        if (state.alive("postgres").isPresent() || Files.exists(dataDirectory().resolve("postmaster.pid"))) {
            ProcessPostgres postgres = postgres();
            postgres.postmaster().ifPresent(postmaster -> {
                console.say("stopping postgres (pid " + postmaster.pid() + ")");
                postgres.stop();
            });
        }
        Processes.stop(state, console, List.of("postgres"), within);
    }

    /** Whether PostgreSQL answers on its port ({@code pg_isready}). */
    boolean databaseReady() {
        return ProcessPostgres.binaries()
                .map(binaries -> Command.run(
                                        List.of(
                                                binaries.resolve("pg_isready").toString(),
                                                "-q",
                                                "-h",
                                                "127.0.0.1",
                                                "-p",
                                                Integer.toString(state.port("ORDERLY_POSTGRES_PORT"))),
                                        Command.inheritedEnvironment(name -> name.startsWith("PG")),
                                        Duration.ofSeconds(10))
                                .exitCode()
                        == 0)
                .orElse(false);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
