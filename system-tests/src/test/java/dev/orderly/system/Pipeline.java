package dev.orderly.system;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.orderly.testsupport.PrivateCa;
import dev.orderly.testsupport.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The whole pipeline as a user runs it: {@code ./orderly up} with a throwaway state directory under {@code target/} and
 * free loopback ports, and {@code ./orderly down} at the end. It runs the five services' runnable jars, each with its
 * own database role and broker user, against a private PostgreSQL and RabbitMQ, and the auth-server, which gives
 * {@link #token} its access tokens.
 *
 * <p>Invariant: whatever {@code up} started is stopped, whether the tests pass, fail, or {@code up} itself fails half
 * way: {@link #close()} runs {@code down}, and a JVM shutdown hook runs it if {@code close} never came (a killed test
 * run). A state directory left behind by an earlier, killed run is stopped and wiped before starting.
 */
final class Pipeline implements AutoCloseable {

    private static final Duration UP_TIMEOUT = Duration.ofMinutes(12);
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(3);

    private final Path root;
    private final Path state;
    private final Map<String, String> environment;
    private final Thread shutdownHook;
    private volatile Map<String, String> settings = Map.of();
    private volatile boolean stopped;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    private Pipeline(Path root, Path state, Map<String, String> environment) {
        this.root = root;
        this.state = state;
        this.environment = environment;
        this.shutdownHook = new Thread(this::down, "orderly-down");
    }

    /** Runs {@code ./orderly up}; on failure, stops what it had started and throws with the end of its output. */
    static Pipeline start() {
        Path root = Path.of(System.getProperty("orderly.root", ".."))
                .toAbsolutePath()
                .normalize();
        if (!Files.isExecutable(root.resolve("orderly"))) {
            throw new IllegalStateException("No ./orderly script in " + root + "; set -Dorderly.root to the checkout");
        }
        Path state = Path.of(System.getProperty(
                        "orderly.state",
                        root.resolve("system-tests/target/orderly").toString()))
                .toAbsolutePath()
                .normalize();
        Pipeline pipeline = new Pipeline(root, state, environment(state));
        pipeline.clearLeftovers();
        Runtime.getRuntime().addShutdownHook(pipeline.shutdownHook);
        try {
            pipeline.orderly(UP_TIMEOUT, state.resolveSibling("orderly-up.log"), "up");
            pipeline.settings = readSettings(state.resolve("env"));
            return pipeline;
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    /**
     * The environment of every {@code ./orderly} command: none of the caller's settings of ./orderly or of the services
     * (ORDERLY_*, and Spring's SPRING_*, SERVER_*, MANAGEMENT_*, LOGGING_*, which ./orderly passes on), free ports.
     */
    private static Map<String, String> environment(Path state) {
        Map<String, String> environment = new LinkedHashMap<>(System.getenv());
        environment
                .keySet()
                .removeIf(name -> Stream.of("ORDERLY_", "SPRING_", "SERVER_", "MANAGEMENT_", "LOGGING_")
                        .anyMatch(name::startsWith));
        environment.put("ORDERLY_STATE_DIR", state.toString());
        // The reactor has just packaged the services' jars: never rebuild them from under it.
        environment.put("ORDERLY_BUILD", System.getProperty("orderly.build", "never"));
        // Plain-text service logs in target/orderly/logs, for whoever reads them after a failure.
        environment.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "");
        // Traces are sampled as by default, but order-api's metrics carry no exemplars: Debian's Prometheus 2.42
        // (older than 2.43) rejects an exemplar on a timer's _count and drops the whole scrape, which made the
        // observability test fail whenever a sampled request had been timed. Users of an old Prometheus need the same
        // setting (README, Operations).
        environment.put("MANAGEMENT_TRACING_EXEMPLARS_INCLUDE", "none");
        // The drills send hundreds of orders at up to ~100/s through one client: order-api's rate limit per caller (20
        // at once, 10 a second by default) would refuse most of them. A limit these tests never reach, still applied.
        environment.put("ORDERLY_API_RATE_LIMIT_CAPACITY", "1000000");
        environment.put("ORDERLY_API_RATE_LIMIT_REFILL", "1000000");
        // An order counts as stuck after 20 s instead of 5 minutes, counted every 2 s, so that the slow-consumer drill
        // sees OrdersStuck fire (it still waits out the rule's own 2 minutes) within minutes, not a quarter hour.
        environment.put("ORDERLY_API_STUCK_ORDERS_AFTER", "20s");
        environment.put("ORDERLY_API_STUCK_ORDERS_SAMPLE_INTERVAL", "2s");
        // One RabbitMQ node by default; -Dorderly.rabbitmq.nodes=3 runs every test on a cluster of three, as production
        // runs it, with the drills that take one node away (docs/running.md#the-system-tests: on 2 cores the cluster
        // adds minutes that CI's 30 cannot spare yet).
        environment.put("ORDERLY_RABBITMQ_NODES", System.getProperty("orderly.rabbitmq.nodes", "1"));
        // PostgreSQL with its synchronous standby, as production runs it (-Dorderly.postgres.standby=0 for one
        // database): every drill's commits then wait for the standby, and the failover drill kills the primary.
        environment.put("ORDERLY_POSTGRES_STANDBY", System.getProperty("orderly.postgres.standby", "1"));
        environment.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        // Every port a free one, so a pipeline someone else runs on this machine is never disturbed.
        environment.put("ORDERLY_PORTS", "free");
        return environment;
    }

    /** A killed earlier run may have left processes behind: stop them by their recorded PIDs, then start afresh. */
    private void clearLeftovers() {
        if (Files.isDirectory(state.resolve("run"))) {
            orderly(DOWN_TIMEOUT, state.resolveSibling("orderly-down-leftovers.log"), "down");
        }
        if (Files.exists(state)) {
            try (Stream<Path> files = Files.walk(state)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException("Could not delete the old state directory " + state, e);
            }
        }
    }

    /**
     * Runs {@code ./orderly args} in this pipeline's environment, its output going to {@code log}.
     *
     * @return its output
     * @throws IllegalStateException if it fails or outlives {@code timeout}
     */
    String orderly(Duration timeout, Path log, String... args) {
        return orderly(timeout, log, Map.of(), args);
    }

    /**
     * As {@link #orderly(Duration, Path, String...)}, with {@code settings} added to its environment: {@code ./orderly
     * up} passes them on to the services it starts (and only to those), as a user's own environment.
     */
    String orderly(Duration timeout, Path log, Map<String, String> settings, String... args) {
        ProcessBuilder builder = command(args).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(settings);
        try {
            Files.createDirectories(log.getParent());
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroy();
                throw new IllegalStateException(
                        "./orderly " + String.join(" ", args) + " did not finish within " + timeout + "\n" + tail(log),
                        new TimeoutException());
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("./orderly " + String.join(" ", args) + " failed (exit "
                        + process.exitValue() + "); its output, in " + log + ":\n" + tail(log)
                        + "\nservice logs: " + state.resolve("logs"));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run ./orderly " + String.join(" ", args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running ./orderly " + String.join(" ", args), e);
        }
    }

    /** Runs {@code ./orderly args} with its output in {@code target/orderly-<first arg>.log}; see above. */
    String orderly(String... args) {
        return orderly(Duration.ofMinutes(2), state.resolveSibling("orderly-" + args[0] + ".log"), args);
    }

    /**
     * {@code ./orderly ARGS} as one shell command line with this pipeline's environment and nothing else (for a
     * terminal multiplexer to run, as a person would type it), every word quoted.
     */
    String shellCommand(String... args) {
        List<String> words = new ArrayList<>(List.of("env", "-i"));
        environment.forEach((name, value) -> words.add(name + "=" + value));
        words.addAll(List.of("bash", root.resolve("orderly").toString()));
        words.addAll(List.of(args));
        return String.join(
                " ",
                words.stream()
                        .map(word -> "'" + word.replace("'", "'\\''") + "'")
                        .toList());
    }

    private ProcessBuilder command(String... args) {
        List<String> command =
                new ArrayList<>(List.of("bash", root.resolve("orderly").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        return builder;
    }

    /**
     * An access token of the pipeline's auth-server for {@code client} (shop, decline-demo, inventory-admin, operator,
     * monitoring), taken as a user takes one: {@code ./orderly token CLIENT}, whose standard output is the token alone.
     * A token is reused while it has more than a minute left, so that a test sending many requests does not start a
     * JVM for each.
     */
    String token(String client) {
        Token token = tokens.compute(
                client,
                (id, held) -> held != null && held.freshFor(Duration.ofMinutes(1)) ? held : Token.of(newToken(id)));
        return token.value();
    }

    private String newToken(String client) {
        Path log = state.resolveSibling("orderly-token.log");
        ProcessBuilder builder = command("token", client).redirectError(log.toFile());
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // A token is far smaller than a pipe's buffer: the process never blocks on its output before it exits.
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroy();
                throw new IllegalStateException("./orderly token " + client + " did not finish within a minute");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "./orderly token " + client + " failed (exit " + process.exitValue() + "): " + tail(log));
            }
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run ./orderly token " + client, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running ./orderly token " + client, e);
        }
    }

    /** A token and when it expires (its {@code exp} claim). */
    private record Token(String value, Instant expiresAt) {

        static Token of(String jwt) {
            String[] parts = jwt.split("\\.");
            if (parts.length != 3) {
                throw new IllegalStateException("./orderly token printed no JWT: " + jwt);
            }
            JsonNode claims = Http.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return new Token(jwt, Instant.ofEpochSecond(claims.path("exp").asLong()));
        }

        boolean freshFor(Duration margin) {
            return Instant.now().plus(margin).isBefore(expiresAt);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static Map<String, String> readSettings(Path env) {
        Map<String, String> settings = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(env, StandardCharsets.UTF_8)) {
                int equals = line.indexOf('=');
                if (!line.startsWith("#") && equals > 0) {
                    settings.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the pipeline's settings from " + env, e);
        }
        return Map.copyOf(settings);
    }

    /** A value of the state directory's {@code env} file: a port or a generated password. */
    String setting(String name) {
        String value = settings.get(name);
        if (value == null) {
            throw new IllegalArgumentException("No " + name + " in " + state.resolve("env"));
        }
        return value;
    }

    int port(String name) {
        return Integer.parseInt(setting(name));
    }

    /** How many PostgreSQL nodes the pipeline runs: 2 with a standby. */
    int databaseNodes() {
        return "1".equals(settings.get("ORDERLY_POSTGRES_STANDBY")) ? 2 : 1;
    }

    /** How many RabbitMQ nodes the pipeline runs (a cluster when more than one). */
    int brokerNodes() {
        return Integer.parseInt(settings.getOrDefault("ORDERLY_RABBITMQ_NODES", "1"));
    }

    /**
     * The variable of one port of broker node {@code node} (1 and up): {@code ORDERLY_RABBITMQ_<KIND>} for node 1,
     * {@code ORDERLY_RABBITMQ_<N>_<KIND>} for the others, as {@code ./orderly up} records them.
     */
    static String brokerPort(int node, String kind) {
        return (node == 1 ? "ORDERLY_RABBITMQ_<KIND>" : "ORDERLY_RABBITMQ_<N>_<KIND>")
                .replace("<N>", Integer.toString(node))
                .replace("<KIND>", kind);
    }

    /** The Erlang node name of broker node {@code node}: {@code orderly@localhost}, {@code orderly-2@localhost}, ... */
    static String brokerNodeName(int node) {
        return node == 1 ? "orderly@localhost" : "orderly-" + node + "@localhost";
    }

    /** order-api's base URL. */
    String api() {
        return "http://127.0.0.1:" + port("ORDERLY_ORDER_API_PORT");
    }

    /** A service's HTTP base URL: the API, or a worker's or the relay's management side (health, metrics, ...). */
    String base(Service service) {
        return "http://127.0.0.1:" + port(service.portVariable());
    }

    /** A worker's management base URL (health, metrics, parking lot); {@code domain} is order, payment or shipping. */
    String management(String domain) {
        return base(Service.forDomain(domain));
    }

    /** The private CA {@code ./orderly up} made in the state directory: its servers' certificates and the clients'. */
    PrivateCa ca() {
        return PrivateCa.at(state.resolve("tls"));
    }

    /**
     * A new AMQP connection to the pipeline's broker, virtual host {@code orderly}, as {@code user}: over TLS with the
     * services' client certificate, the broker's certificate and host name verified, as a service connects.
     */
    Connection amqp(String user, String password) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.useSslProtocol(ca().clientSslContext());
        factory.enableHostnameVerification();
        factory.setHost("127.0.0.1");
        factory.setPort(port("ORDERLY_RABBITMQ_PORT"));
        factory.setVirtualHost("orderly");
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            return factory.newConnection("orderly-system-tests");
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("Could not connect to the pipeline's RabbitMQ as " + user, e);
        }
    }

    /** A new AMQP connection as the broker user {@code service} runs as. */
    Connection amqp(Service service) {
        return amqp(
                service.brokerUser().orElseThrow(() -> new IllegalArgumentException(service + " has no broker user")),
                setting(service.brokerPasswordKey().orElseThrow()));
    }

    /** A JDBC connection as the database role {@code service} runs as. */
    java.sql.Connection database(Service service) throws SQLException {
        return database(
                service.databaseRole()
                        .orElseThrow(() -> new IllegalArgumentException(service + " has no database role")),
                setting(service.databasePasswordKey().orElseThrow()));
    }

    /** The administrator, for inspecting the broker and planting test messages; never what a service runs as. */
    Connection amqpAdmin() {
        return amqp("orderly-admin", setting("ORDERLY_RABBITMQ_ADMIN_PASSWORD"));
    }

    /**
     * A JDBC connection to database {@code orderly} as {@code role}, over TLS with the server verified: to the primary,
     * whichever node it is, as the services connect.
     */
    java.sql.Connection database(String role, String password) throws SQLException {
        String hosts = "127.0.0.1:" + port("ORDERLY_POSTGRES_PORT")
                + (databaseNodes() > 1 ? ",127.0.0.1:" + port("ORDERLY_POSTGRES_2_PORT") : "");
        return DriverManager.getConnection(
                "jdbc:postgresql://" + hosts + "/orderly?sslmode=verify-full&sslrootcert=" + ca().authority()
                        + "&targetServerType=primary",
                role,
                password);
    }

    /** A JDBC connection to the primary as the superuser, to look at what no service's role may see. */
    java.sql.Connection databaseSuperuser() throws SQLException {
        return database("postgres", setting("ORDERLY_POSTGRES_PASSWORD"));
    }

    Path state() {
        return state;
    }

    /** Runs {@code ./orderly down} once, and forgets the shutdown hook. */
    @Override
    public void close() {
        down();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running, or has run, down() itself
        }
    }

    private synchronized void down() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            orderly(DOWN_TIMEOUT, state.resolveSibling("orderly-down.log"), "down");
        } catch (RuntimeException e) {
            System.err.println("Stopping the system-test pipeline failed: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Orderly pipeline (state " + state + ", API " + (settings.isEmpty() ? "not up" : api()) + ")";
    }
}
