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

    /** Node 1 of PostgreSQL: the only one, or the first of a primary and its standby. */
    ProcessPostgres postgres() {
        return postgres(1);
    }

    /**
     * PostgreSQL node {@code node} (2 only with a standby, {@link StateDirectory#postgresNodes()}): node 1's data in
     * {@code postgres/}, recorded as {@code postgres}; node 2's in {@code postgres-2/}, recorded as {@code postgres-2}.
     * Which of them is the primary is {@link StateDirectory#postgresPrimary()}.
     */
    ProcessPostgres postgres(int node) {
        Path binaries = ProcessPostgres.binaries()
                .orElseThrow(() -> new OrderlyException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/"
                        + "initdb): apt-get install postgresql, or run ./orderly as root to have it done"));
        String name = databaseProcess(node);
        state.expect(name, dataDirectory(node).toString());
        List<String> options = new ArrayList<>();
        if (state.postgresNodes() > 1) {
            // A replication connection that went silent is given up after 5 s on either side (CloudNativePG's
            // defaults; PostgreSQL's are 60 s): until then the slot counts as in use, the standby cannot reconnect, and
            // every commit waits for it.
            options.addAll(List.of("-c", "wal_sender_timeout=5s", "-c", "wal_receiver_timeout=5s"));
        }
        Arrays.stream(environment
                        .getOrDefault("ORDERLY_POSTGRES_OPTIONS", "")
                        .strip()
                        .split("\\s+"))
                .filter(option -> !option.isEmpty())
                .forEach(options::add);
        return new ProcessPostgres(
                binaries,
                new ProcessPostgres.Layout(
                        dataDirectory(node),
                        state.logs().resolve(name + ".log"),
                        state.root().resolve("sockets")),
                state.postgresPort(node),
                state.get(StateDirectory.SUPERUSER_PASSWORD),
                options,
                state,
                state.ca(),
                name);
    }

    /** The name PostgreSQL node {@code node}'s postmaster is recorded by: {@code postgres}, {@code postgres-2}. */
    static String databaseProcess(int node) {
        return node == 1 ? "postgres" : "postgres-" + node;
    }

    private Path dataDirectory(int node) {
        return state.root().resolve(databaseProcess(node));
    }

    /**
     * Initialises (the first time), starts (unless it runs) and bootstraps the primary; with a standby
     * ({@value StateDirectory#POSTGRES_STANDBY}), starts it too, first making it a base backup of the primary when it
     * is none yet or is the old primary a failover left behind, and makes every commit wait for it.
     */
    void startDatabase() {
        state.openForServiceUsers();
        int primaryNode = primaryNode();
        ProcessPostgres primary = postgres(primaryNode);
        String primaryName = databaseProcess(primaryNode);
        if (!primary.initialised()) {
            if (primaryNode != 1) {
                throw new OrderlyException(
                        primaryName + " is recorded as the primary (" + StateDirectory.POSTGRES_PRIMARY + " in "
                                + state.envFile() + ") but " + dataDirectory(primaryNode) + " holds no database");
            }
            console.say("initialising PostgreSQL in " + dataDirectory(primaryNode));
            primary.initdb();
        }
        if (primary.running()) {
            console.say(primaryName + " already running (pid "
                    + primary.postmaster().orElseThrow().pid() + ")");
        } else {
            console.say("starting PostgreSQL " + (state.postgresNodes() > 1 ? "primary " + primaryName + " " : "")
                    + "on 127.0.0.1:" + primary.port() + " (TLS only)");
            primary.start();
        }
        if (state.postgresNodes() > 1) {
            // Before any commit: the primary's commits wait for its synchronous standby.
            startStandby(primaryNode, primary);
        }
        primary.ensureDatabase();
        Map<Service, String> passwords = new EnumMap<>(Service.class);
        for (Service service : Service.values()) {
            service.databasePasswordKey().ifPresent(key -> passwords.put(service, state.get(key)));
        }
        try {
            primary.bootstrap(Files.readAllBytes(root.resolve(BOOTSTRAP)), passwords);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + root.resolve(BOOTSTRAP), e);
        }
    }

    private void startStandby(int primaryNode, ProcessPostgres primary) {
        int standbyNode = 3 - primaryNode;
        ProcessPostgres standby = postgres(standbyNode);
        String name = databaseProcess(standbyNode);
        String password = state.get(StateDirectory.REPLICATOR_PASSWORD);
        if (standby.running()) {
            console.say(name + " (standby) already running (pid "
                    + standby.postmaster().orElseThrow().pid() + ")");
            primary.ensureReplicator(password);
        } else {
            // Until the standby streams again, a commit would wait for it for ever (up's own included).
            primary.requireSynchronousStandby(Optional.empty());
            primary.ensureReplicator(password);
            if (!standby.initialised() || !standby.configuredAsStandby()) {
                if (standby.initialised() && standby.timeline() > primary.timeline()) {
                    throw new OrderlyException(name + " is on a later timeline (" + standby.timeline() + ") than "
                            + databaseProcess(primaryNode) + ", the recorded primary (" + primary.timeline()
                            + "): it was promoted after it, and making it a standby would lose what it has. If "
                            + name + " is the primary, set " + StateDirectory.POSTGRES_PRIMARY + "=" + standbyNode
                            + " in " + state.envFile());
                }
                console.say("making " + name + " a standby of " + databaseProcess(primaryNode)
                        + " (pg_basebackup; what " + dataDirectory(standbyNode) + " held is replaced)");
                standby.followAsStandby(primary, password);
            }
            console.say("starting PostgreSQL standby " + name + " on 127.0.0.1:" + standby.port() + " (streaming from "
                    + databaseProcess(primaryNode) + ", synchronously)");
            standby.start();
        }
        primary.requireSynchronousStandby(Optional.of(standby));
    }

    /**
     * Which node is the primary: the one that runs and accepts writes, recorded as such if the record said otherwise;
     * the recorded one when none runs.
     *
     * @throws OrderlyException if both run and accept writes (split brain: the operator decides which one's writes to
     *     keep)
     */
    private int primaryNode() {
        int recorded = state.postgresPrimary();
        if (state.postgresNodes() == 1) {
            return 1;
        }
        List<Integer> writable = new ArrayList<>();
        for (int node = 1; node <= 2; node++) {
            ProcessPostgres server = postgres(node);
            if (server.running() && !server.inRecovery()) {
                writable.add(node);
            }
        }
        if (writable.size() == 2) {
            throw new OrderlyException("Both PostgreSQL nodes run and accept writes (postgres on "
                    + state.postgresPort(1) + ", postgres-2 on " + state.postgresPort(2) + "): split brain. Stop the "
                    + "one whose writes are to be dropped (docs/running.md, PostgreSQL failover), then ./orderly up "
                    + "makes it a standby of the other");
        }
        if (writable.size() == 1 && writable.getFirst() != recorded) {
            console.say(
                    databaseProcess(writable.getFirst()) + " runs as the primary: recorded so in " + state.envFile());
            state.postgresPrimary(writable.getFirst());
            return writable.getFirst();
        }
        return recorded;
    }

    /**
     * {@code ./orderly failover}: promotes the standby once the primary is down, and records it as the primary. The
     * services' JDBC URL names both nodes ({@code targetServerType=primary}), so their next connections find it; the
     * next {@code up} makes the old primary its standby.
     *
     * @throws OrderlyException without a standby, while the primary still runs, or if the standby does not run
     */
    void failover() {
        if (state.postgresNodes() == 1) {
            throw new OrderlyException("No PostgreSQL standby to fail over to: run ./orderly up with "
                    + StateDirectory.POSTGRES_STANDBY + "=1 first");
        }
        int primaryNode = state.postgresPrimary();
        int standbyNode = 3 - primaryNode;
        ProcessPostgres primary = postgres(primaryNode);
        ProcessPostgres standby = postgres(standbyNode);
        if (primary.running()) {
            throw new OrderlyException(databaseProcess(primaryNode) + ", the primary, still runs (pid "
                    + primary.postmaster().orElseThrow().pid() + "): promoting the standby now would leave two "
                    + "primaries. Stop it first (or let it fail); a failover is for a primary that is gone");
        }
        if (!standby.running()) {
            throw new OrderlyException(
                    databaseProcess(standbyNode) + ", the standby, does not run: nothing to promote");
        }
        console.say("promoting " + databaseProcess(standbyNode) + " (it waits for no standby until ./orderly up makes "
                + databaseProcess(primaryNode) + " one)");
        standby.promote();
        state.postgresPrimary(standbyNode);
        console.say(databaseProcess(standbyNode) + " is the primary on 127.0.0.1:" + standby.port());
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
     * accept what the majority will never see. Each node of a cluster opens its distribution connections from a
     * loopback address of its own ({@link ProcessRabbit#clusterNodeAddress}).
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
            if (count > 1) {
                // Each node's distribution connections from an address of its own, so one can be cut off alone.
                broker.connectingFrom(ProcessRabbit.clusterNodeAddress(node));
            }
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

    /**
     * Stops PostgreSQL (pg_ctl stop -m fast, then by PID): the primary first, which sends its standby all the WAL it
     * has before it stops, then the standby.
     */
    void stopDatabase(Duration within) {
        int primaryNode = state.postgresPrimary();
        List<Integer> order = new ArrayList<>(List.of(primaryNode));
        if (state.postgresNodes() > 1) {
            order.add(3 - primaryNode);
        }
        for (int node : order) {
            String name = databaseProcess(node);
            if (state.alive(name).isPresent()
                    || Files.exists(dataDirectory(node).resolve("postmaster.pid"))) {
                ProcessPostgres postgres = postgres(node);
                postgres.postmaster().ifPresent(postmaster -> {
                    console.say("stopping " + name + " (pid " + postmaster.pid() + ")");
                    postgres.stop();
                });
            }
            Processes.stop(state, console, List.of(name), within);
        }
    }

    /** Whether PostgreSQL node {@code node} answers on its port ({@code pg_isready}). */
    boolean databaseReady(int node) {
        return ProcessPostgres.binaries()
                .map(binaries -> Command.run(
                                        List.of(
                                                binaries.resolve("pg_isready").toString(),
                                                "-q",
                                                "-h",
                                                "127.0.0.1",
                                                "-p",
                                                Integer.toString(state.postgresPort(node))),
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
