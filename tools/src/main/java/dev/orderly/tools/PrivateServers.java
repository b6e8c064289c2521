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
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    ProcessRabbit broker() {
        Path epmd = OrderlyInfrastructure.epmd()
                .orElseThrow(() -> new OrderlyException("RabbitMQ is not installed (no epmd): apt-get install "
                        + "rabbitmq-server, or run ./orderly as root to have it done"));
        Path directory = state.root().resolve("rabbitmq");
        state.expect("rabbitmq", "rabbitmq-server");
        state.expect("epmd", "-port " + state.port("ORDERLY_RABBITMQ_EPMD_PORT"));
        return new ProcessRabbit(
                epmd,
                new ProcessRabbit.Layout(
                        directory.resolve("home"),
                        directory.resolve("mnesia"),
                        state.logs().resolve("rabbitmq"),
                        directory,
                        state.logs().resolve("rabbitmq.out")),
                new ProcessRabbit.Ports(
                        state.port("ORDERLY_RABBITMQ_EPMD_PORT"),
                        state.port("ORDERLY_RABBITMQ_PORT"),
                        state.port("ORDERLY_RABBITMQ_DIST_PORT"),
                        state.port("ORDERLY_RABBITMQ_MANAGEMENT_PORT"),
                        state.port("ORDERLY_RABBITMQ_PROMETHEUS_PORT")),
                NODE,
                state.get("ORDERLY_RABBITMQ_ADMIN_PASSWORD"),
                // The vhost, users and permissions of the deployment, loaded at every boot: no default guest user is
                // ever created.
                List.of("load_definitions = " + directory.resolve("definitions.json")),
                state,
                true,
                state.ca());
    }

    /** Starts the node unless it runs, then imports the topology (every time). */
    void startBroker() {
        ProcessRabbit broker = broker();
        if (state.alive("rabbitmq").isPresent()) {
            console.say("rabbitmq already running (pid "
                    + state.alive("rabbitmq").orElseThrow().pid() + ")");
        } else {
            writeDefinitions(state.root().resolve("rabbitmq").resolve("definitions.json"));
            broker.writeConfiguration();
            broker.startEpmd();
            console.say("starting RabbitMQ on 127.0.0.1:" + broker.amqpPort() + " (AMQP over TLS; management on "
                    + broker.managementPort() + ")");
            broker.start();
            try {
                broker.rabbitmqctl("authenticate_user", "orderly-admin", broker.adminPassword());
            } catch (IllegalStateException e) {
                throw new OrderlyException(
                        "RabbitMQ refuses orderly-admin's password from " + state.envFile()
                                + ": did the definitions in " + state.root().resolve("rabbitmq") + " load? See "
                                + state.logs().resolve("rabbitmq"),
                        e);
            }
        }
        Path topology = root.resolve(TOPOLOGY);
        try {
            broker.importDefinitions(topology);
        } catch (IllegalStateException e) {
            throw new OrderlyException("Importing the broker topology (" + topology + ") failed: " + e.getMessage(), e);
        }
        console.say("broker topology imported (" + TOPOLOGY + ")");
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

    /** Stops the node (rabbitmqctl stop, then by PID) and its epmd. */
    void stopBroker(Duration within) {
        if (state.alive("rabbitmq").isPresent()) {
            ProcessRabbit broker = broker();
            console.say("stopping rabbitmq (pid "
                    + state.alive("rabbitmq").orElseThrow().pid() + ")");
            try {
                broker.rabbitmqctl("stop");
            } catch (IllegalStateException e) {
                console.say("rabbitmqctl stop failed (" + firstLine(e.getMessage()) + "): stopping it by PID");
            }
        }
        Processes.stop(state, console, List.of("rabbitmq"), within);
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
