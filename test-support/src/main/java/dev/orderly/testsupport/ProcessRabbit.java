package dev.orderly.testsupport;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A private RabbitMQ node run from the system's packages: its own epmd, node name, Erlang cookie, Mnesia and log
 * directories, and loopback ports for AMQP, distribution, management and Prometheus.
 *
 * <p>The administrator, virtual host {@code orderly} and the permissions between them are rabbitmq.conf defaults, so
 * they exist before the first AMQP listener opens and no CLI round-trips are needed at start. Invariant: nothing
 * listens beyond 127.0.0.1, nothing is shared with another node on the machine (epmd included), and every
 * long-running process is recorded in the run directory while it runs.
 */
final class ProcessRabbit implements RabbitBroker {

    private static final System.Logger LOG = System.getLogger(ProcessRabbit.class.getName());

    static final Path SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");

    private static final String HOST = "127.0.0.1";

    private static final String LOOPBACK_ONLY = "-kernel inet_dist_use_interface {127,0,0,1}";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Path epmdBinary;

    private final RunDirectory run;

    private final Path directory;

    private final Path home;

    private final int epmdPort;

    private final int amqpPort;

    private final int distributionPort;

    private final int managementPort;

    private final int prometheusPort;

    private final String nodeName;

    private final String adminPassword = Secrets.generate();

    private @Nullable Process epmd;

    private @Nullable Process server;

    ProcessRabbit(Path epmdBinary, RunDirectory run, int[] ports) {
        this.epmdBinary = epmdBinary;
        this.run = run;
        this.directory = run.path().resolve("rabbitmq");
        this.home = this.directory.resolve("home");
        this.epmdPort = ports[0];
        this.amqpPort = ports[1];
        this.distributionPort = ports[2];
        this.managementPort = ports[3];
        this.prometheusPort = ports[4];
        this.nodeName = "orderly-test-" + ProcessHandle.current().pid() + "@localhost";
    }

    /** Writes the node's configuration, starts its epmd and the node, and waits until it accepts AMQP. */
    void initialise() {
        writeConfiguration();
        startEpmd();
        start();
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int amqpPort() {
        return this.amqpPort;
    }

    @Override
    public int managementPort() {
        return this.managementPort;
    }

    @Override
    public int prometheusPort() {
        return this.prometheusPort;
    }

    @Override
    public String adminPassword() {
        return this.adminPassword;
    }

    @Override
    public String rabbitmqctl(String... args) {
        List<String> command = new ArrayList<>();
        command.add(SCRIPTS.resolve("rabbitmqctl").toString());
        command.addAll(List.of(args));
        Map<String, String> environment = environment();
        // The CLI is a short-lived Erlang node too: give it its own free distribution port rather than the shared
        // default range 35672-35682.
        String cliPort = Integer.toString(FreePorts.pick(1)[0]);
        environment.put("RABBITMQ_CTL_DIST_PORT_MIN", cliPort);
        environment.put("RABBITMQ_CTL_DIST_PORT_MAX", cliPort);
        return Command.runChecked(
                "rabbitmqctl " + String.join(" ", args) + " against " + this.nodeName,
                command,
                environment,
                Duration.ofSeconds(60));
    }

    @Override
    public synchronized void start() {
        Process current = this.server;
        if (current != null && current.isAlive()) {
            return;
        }
        Path output = this.directory.resolve("server.out");
        Process started;
        try {
            ProcessBuilder builder = new ProcessBuilder(
                            SCRIPTS.resolve("rabbitmq-server").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment());
            started = builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + SCRIPTS.resolve("rabbitmq-server"), ex);
        }
        this.server = started;
        this.run.record(started.toHandle());
        Set<Long> recorded = new HashSet<>();
        try {
            await("RabbitMQ node " + this.nodeName + " accepting AMQP on " + HOST + ":" + this.amqpPort)
                    .atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100))
                    .pollInSameThread()
                    .failFast("rabbitmq-server exited", () -> !started.isAlive())
                    .until(() -> {
                        // The Erlang VM is the shell script's child: record it as soon as it exists.
                        recordChildren(started, recorded);
                        return FreePorts.listening(HOST, this.managementPort)
                                && FreePorts.listening(HOST, this.prometheusPort)
                                && acceptsAmqp();
                    });
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException ex) {
            throw new IllegalStateException(
                    "The test RabbitMQ did not start: " + ex.getMessage() + "\n  output (" + output + "):\n"
                            + Command.tail(output, 40) + "\n  logs: " + this.directory.resolve("log"),
                    ex);
        }
        recordChildren(started, recorded);
    }

    @Override
    public synchronized void stop() {
        Process current = this.server;
        this.server = null;
        if (current == null || !current.isAlive()) {
            return;
        }
        try {
            rabbitmqctl("stop");
        } catch (IllegalStateException ex) {
            LOG.log(Level.WARNING, "rabbitmqctl stop failed; the broker will be killed if it does not stop", ex);
        }
        if (!RunDirectory.awaitExit(current.toHandle(), STOP_TIMEOUT)) {
            LOG.log(Level.WARNING, "RabbitMQ {0} did not stop within {1}; killing it", this.nodeName, STOP_TIMEOUT);
            current.descendants().forEach(ProcessHandle::destroyForcibly);
            current.destroyForcibly();
            RunDirectory.awaitExit(current.toHandle(), Duration.ofSeconds(10));
        }
    }

    /** Stops the node, then its epmd. */
    void shutdown() {
        stop();
        Process daemon = this.epmd;
        this.epmd = null;
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            if (!RunDirectory.awaitExit(daemon.toHandle(), Duration.ofSeconds(5))) {
                daemon.destroyForcibly();
                RunDirectory.awaitExit(daemon.toHandle(), Duration.ofSeconds(5));
            }
        }
    }

    private void writeConfiguration() {
        try {
            Files.createDirectories(this.home);
            Files.createDirectories(this.directory.resolve("mnesia"));
            Files.createDirectories(this.directory.resolve("log"));
            Path cookie = this.home.resolve(".erlang.cookie");
            Files.writeString(cookie, Secrets.generate(32).toUpperCase());
            // Erlang refuses a cookie file that others can read.
            Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
            Files.writeString(
                    this.directory.resolve("rabbitmq.conf"),
                    String.join(
                            "\n",
                            "listeners.tcp.default = " + HOST + ":" + this.amqpPort,
                            "default_vhost = " + virtualHost(),
                            "default_user = " + adminUser(),
                            "default_pass = " + this.adminPassword,
                            "default_user_tags.administrator = true",
                            "default_permissions.configure = .*",
                            "default_permissions.write = .*",
                            "default_permissions.read = .*",
                            "management.tcp.ip = " + HOST,
                            "management.tcp.port = " + this.managementPort,
                            "prometheus.tcp.ip = " + HOST,
                            "prometheus.tcp.port = " + this.prometheusPort,
                            ""));
            Files.writeString(
                    this.directory.resolve("enabled_plugins"), "[rabbitmq_management,rabbitmq_prometheus].\n");
        } catch (IOException ex) {
            throw new UncheckedIOException(
                    "Could not write the test RabbitMQ's configuration in " + this.directory, ex);
        }
    }

    private void startEpmd() {
        Path output = this.directory.resolve("epmd.out");
        Process started;
        try {
            ProcessBuilder builder = new ProcessBuilder(
                            this.epmdBinary.toString(), "-address", HOST, "-port", Integer.toString(this.epmdPort))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment());
            started = builder.start();
        } catch (IOException ex) {
            throw new UncheckedIOException("Could not start " + this.epmdBinary, ex);
        }
        this.epmd = started;
        this.run.record(started.toHandle());
        try {
            await("epmd listening on " + HOST + ":" + this.epmdPort)
                    .atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .pollInSameThread()
                    .failFast("epmd exited", () -> !started.isAlive())
                    .until(() -> FreePorts.listening(HOST, this.epmdPort));
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException ex) {
            throw new IllegalStateException(
                    "epmd for the test RabbitMQ did not start: " + ex.getMessage() + "\n" + Command.tail(output, 20),
                    ex);
        }
    }

    /** Records the Erlang VM the start script runs (not the script's short-lived helpers such as dirname). */
    private void recordChildren(Process process, Set<Long> recorded) {
        process.children()
                .filter(child -> RunDirectory.commandLine(child)
                        .filter(command -> command.contains("beam"))
                        .isPresent())
                .filter(child -> recorded.add(child.pid()))
                .forEach(this.run::record);
    }

    private boolean acceptsAmqp() {
        ConnectionFactory factory = connectionFactory();
        factory.setConnectionTimeout(2_000);
        factory.setAutomaticRecoveryEnabled(false);
        try (Connection connection = factory.newConnection("orderly-test-readiness")) {
            return connection.isOpen();
        } catch (IOException | TimeoutException ex) {
            return false;
        }
    }

    /**
     * The environment of every Erlang process of this node (server, CLI): private home and cookie, private epmd,
     * loopback only, and none of the machine's RabbitMQ configuration.
     */
    private Map<String, String> environment() {
        Map<String, String> environment =
                Command.inheritedEnvironment(name -> name.startsWith("RABBITMQ_") || name.startsWith("ERL_"));
        environment.put("HOME", this.home.toString());
        environment.put("LC_ALL", "C.UTF-8");
        environment.put("ERL_EPMD_PORT", Integer.toString(this.epmdPort));
        environment.put(
                "ERL_CRASH_DUMP", this.directory.resolve("erl_crash.dump").toString());
        environment.put("RABBITMQ_NODENAME", this.nodeName);
        environment.put("RABBITMQ_NODE_IP_ADDRESS", HOST);
        environment.put("RABBITMQ_NODE_PORT", Integer.toString(this.amqpPort));
        environment.put("RABBITMQ_DIST_PORT", Integer.toString(this.distributionPort));
        environment.put("RABBITMQ_MNESIA_BASE", this.directory.resolve("mnesia").toString());
        environment.put("RABBITMQ_LOG_BASE", this.directory.resolve("log").toString());
        environment.put(
                "RABBITMQ_CONFIG_FILE", this.directory.resolve("rabbitmq.conf").toString());
        environment.put(
                "RABBITMQ_ADVANCED_CONFIG_FILE",
                this.directory.resolve("advanced.config").toString());
        environment.put(
                "RABBITMQ_CONF_ENV_FILE",
                this.directory.resolve("rabbitmq-env.conf").toString());
        environment.put(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                this.directory.resolve("enabled_plugins").toString());
        environment.put("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", LOOPBACK_ONLY);
        environment.put("RABBITMQ_CTL_ERL_ARGS", LOOPBACK_ONLY);
        return environment;
    }
}
